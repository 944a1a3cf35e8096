# lambda-c layer built on Amazon Linux 2023, the OS of Lambda's provided.al2023: its glibc
# (2.34) and its json-c end up in the layer. The build is the one CI runs: ./build.sh.
#
#   docker build --output type=local,dest=out .                                   # x86_64
#   docker build --platform linux/arm64 --build-arg ARCH=arm64 --output type=local,dest=out .
#
# out/layer.zip is the layer (unzips to /opt). The arm64 build runs natively on an arm64
# builder, or under QEMU through Docker's binfmt_misc on another one.
FROM public.ecr.aws/amazonlinux/amazonlinux:2023 AS build

# ./build.sh's BUILD_PACKAGES, by their Amazon Linux names (tests/integration/test_targets.py
# keeps the two lists in step). libcurl-devel and openssl-devel: headers for liblambda-c-aws,
# which loads libcurl and OpenSSL at run time; --allowerasing swaps curl-minimal for curl.
RUN dnf install -y --allowerasing \
        binutils findutils gcc glibc-devel gzip json-c-devel libcurl-devel make openssl-devel \
        pkgconf-pkg-config python3 tar unzip zip \
    && dnf clean all

WORKDIR /src
COPY . .

# x86_64 or arm64: must match the platform the image builds on (--platform linux/arm64).
ARG ARCH=x86_64
RUN ./build.sh --arch "${ARCH}" build \
    && cp "$(if [ "${ARCH}" = arm64 ]; then echo build-arm64; else echo build; fi)/layer.zip" /layer.zip

FROM scratch AS layer
COPY --from=build /layer.zip /layer.zip
