"""lambda-c layer: where the SDK's layer zips are and how to publish them; --extract for
SAM's layer build target, --sam for a layer-only stack."""
import os
import pathlib
import shutil
import stat
import zipfile

from .sdk import EXIT_ENVIRONMENT, Failure

PUBLISH = """\
Publish it (one layer version per region and architecture):
  lambda-c layer --sam lambda-c-layer && cd lambda-c-layer
  sam build && sam deploy --guided        # stack: layer + SSM parameter /lambda-c/{arch}/layer-version-arn
or without SAM:
  aws lambda publish-layer-version --layer-name lambda-c-{arch} --zip-file fileb://{zip} \\
      --compatible-runtimes provided.al2023 --compatible-architectures {arch}
Functions made by `lambda-c new` read the SSM parameter, or take LayerArn=<ARN> as a parameter."""


def extract(zip_path, dest):
    """Unzips a layer as Lambda does (file modes and symbolic links kept)."""
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            target = (dest / info.filename).resolve()
            if root != target and root not in target.parents:
                raise Failure(f"{zip_path}: {info.filename} points outside the layer", EXIT_ENVIRONMENT)
            mode = info.external_attr >> 16
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if stat.S_ISLNK(mode):
                if target.is_symlink() or target.exists():
                    target.unlink()
                os.symlink(z.read(info).decode(), target)
                continue
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            if mode & 0o777:
                os.chmod(target, mode & 0o777)


def cmd_layer(sdk, args):
    arch = args.arch or sdk.arch
    layer = sdk.layer_zip(arch)
    if not layer.is_file():
        have = ", ".join(p.name for p in sdk.layer_zips()) or "none"
        raise Failure(f"no {arch} layer in this SDK ({layer}; it has: {have}); the {arch} layer is in "
                      f"lambda-c-sdk-{sdk.version}-{arch}.tar.gz", EXIT_ENVIRONMENT)
    if args.extract:
        extract(layer, args.extract)
        print(f"lambda-c: layer {sdk.version} ({arch}) extracted to {args.extract}")
        return 0
    if args.sam:
        dest = pathlib.Path(args.sam)
        if dest.exists():
            raise Failure(f"{dest} exists already")
        shutil.copytree(sdk.share / "sam", dest)
        for path, key, value in ((dest / "layer" / "Makefile", "@@LAMBDA_C@@", str(sdk.command)),
                                 (dest / "template.yaml", "@@ARCH@@", arch)):
            path.write_text(path.read_text().replace(key, value))
        print(f"lambda-c: layer stack written to {dest}: cd {dest} && sam build && sam deploy --guided")
        return 0
    if args.path:
        print(layer)
        return 0
    print(f"lambda-c {sdk.version} layer for {arch}: {layer}")
    for other in sdk.layer_zips():
        if other != layer:
            print(f"also: {other}")
    print(PUBLISH.format(arch=arch, zip=layer))
    return 0
