/*
 * LD_PRELOAD shim for Debian bookworm's SyncEvolution 2.0.0 CLI.
 *
 * Its CurlTransportAgent hands libcurl NULL CURLOPT_READFUNCTION / CURLOPT_WRITEFUNCTION
 * callbacks, so curl falls back to fread()/fwrite() on the agent pointer and the client crashes
 * on its first send. This wrapper swaps a NULL callback for one that calls the agent's exported
 * member functions readData(void*, size_t) / writeData(void*, size_t); curl passes the agent
 * (CURLOPT_READDATA / CURLOPT_WRITEDATA) as the callback's userdata, so no bookkeeping is needed.
 *
 * Built by tests/interop/syncevolution.py with: gcc -shared -fPIC -O2 -o X.so curl_preload.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef int CURLcode;
typedef void CURL;
typedef CURLcode (*setopt_fn)(CURL *, int, ...);
/* A C++ member function called the Itanium-ABI way: `this` first. */
typedef size_t (*member_fn)(void *self, void *buffer, size_t size);

#define OPT_WRITEFUNCTION 20011
#define OPT_READFUNCTION 20012

static setopt_fn real_setopt;
static member_fn read_member;
static member_fn write_member;

static void resolve(void)
{
    if (!real_setopt)
        real_setopt = (setopt_fn)dlsym(RTLD_NEXT, "curl_easy_setopt");
    if (!read_member)
        read_member = (member_fn)dlsym(RTLD_DEFAULT, "_ZN7SyncEvo18CurlTransportAgent8readDataEPvm");
    if (!write_member)
        write_member = (member_fn)dlsym(RTLD_DEFAULT, "_ZN7SyncEvo18CurlTransportAgent9writeDataEPvm");
}

static size_t read_callback(char *buffer, size_t size, size_t nitems, void *agent)
{
    return read_member(agent, buffer, size * nitems);
}

static size_t write_callback(char *buffer, size_t size, size_t nitems, void *agent)
{
    return write_member(agent, buffer, size * nitems);
}

CURLcode curl_easy_setopt(CURL *handle, int option, ...)
{
    va_list ap;
    void *param;

    /* Every curl option argument (long, pointer, function pointer, curl_off_t) is one 64-bit
     * integer-class value on x86_64 and aarch64, so forwarding it as a pointer is exact. */
    va_start(ap, option);
    param = va_arg(ap, void *);
    va_end(ap);

    resolve();
    if (!real_setopt) {
        fprintf(stderr, "curl_preload: curl_easy_setopt not found\n");
        abort();
    }
    if (param == NULL && option == OPT_READFUNCTION && read_member)
        param = (void *)read_callback;
    else if (param == NULL && option == OPT_WRITEFUNCTION && write_member)
        param = (void *)write_callback;
    return real_setopt(handle, option, param);
}
