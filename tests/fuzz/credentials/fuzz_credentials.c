/*
 * The container credentials: the endpoint's JSON answer (AccessKeyId, SecretAccessKey,
 * Token, Expiration) and the AWS_CONTAINER_CREDENTIALS_FULL_URI check. The first input byte
 * picks which. Invariants: an accepted answer yields credentials; an accepted http URI names
 * a loopback or ECS/EKS host in the one notation libcurl reads the same way (no octal, hex
 * or short forms); the work is linear.
 */
#include "fuzz_support.h"

#include "aws/internal.h"

/* The host of an http:// URI accepted by the check, re-read independently. */
static void check_accepted_http(const char *uri)
{
    const char *h = uri + 7;
    size_t n = strcspn(h, "/?#");
    FZ_CHECK(n > 0 && memchr(h, '@', n) == NULL);
    FZ_CHECK(h[0] == '[' || h[0] == 'l' || (h[0] >= '0' && h[0] <= '9'));
    if (h[0] >= '0' && h[0] <= '9') {
        /* 127.x.x.x or 169.254.170.2[3], decimal only, no leading zeros. */
        FZ_CHECK(strncmp(h, "127.", 4) == 0 || strncmp(h, "169.254.170.2", 13) == 0);
        for (size_t i = 0; i < n && h[i] != ':'; i++)
            FZ_CHECK((h[i] >= '0' && h[i] <= '9') || h[i] == '.');
        for (size_t i = 0; i + 1 < n && h[i] != ':'; i++)
            FZ_CHECK(!(h[i] == '0' && (i == 0 || h[i - 1] == '.') && h[i + 1] >= '0' &&
                       h[i + 1] <= '9'));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = fz_string(data + 1, size - 1);
    uint64_t start = fz_work();
    if (data[0] & 1) {
        lambda_code rc = lc_credentials_check_full_uri(s);
        fz_linear("lc_credentials_check_full_uri", fz_work() - start, size, 20000, 20, 0);
        if (rc == LAMBDA_OK && strncasecmp(s, "http://", 7) == 0)
            check_accepted_http(s);
    } else {
        lambda_aws_credentials *c = NULL;
        lambda_code rc = lc_credentials_parse_container(s, size - 1, &c);
        fz_linear("lc_credentials_parse_container", fz_work() - start, size, 20000, 40, 0);
        FZ_CHECK((rc == LAMBDA_OK) == (c != NULL));
        lambda_aws_credentials_unref(c);
    }
    free(s);
    return 0;
}
