/*
 * libFuzzer harness for regua.yaml: the input is parsed as a configuration
 * file. Parsing must either succeed or fail with a located message; any
 * crash, leak or sanitizer report is a bug (libfyaml's own included: the
 * quoted-scalar decoder exists because of one).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_config *c = malloc(sizeof *c);
    if (!c)
        abort();
    rg_config_defaults(c);
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_config_parse(c, "regua.yaml", "/etc/regua", (const char *)data, size, &e);
    if (rc != RG_OK && (e.where[0] == '\0' || e.msg[0] == '\0'))
        abort(); /* every refusal says where and what */
    free(c);
    return 0;
}
