#ifndef LOCUST_CCURL_SHIM_H
#define LOCUST_CCURL_SHIM_H

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <malloc.h>

// Every response body is a fresh buffer: keep freed memory in the process instead of letting glibc
// unmap large blocks and map the next one anew (page faults on every 64 KiB response).
static inline void locust_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
}

// Swift cannot call C variadic functions: these typed wrappers stand in for curl_easy_setopt,
// curl_easy_getinfo, curl_multi_setopt and curl_share_setopt.

typedef size_t (*locust_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode locust_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locust_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locust_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locust_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locust_easy_setopt_data_cb(CURL *h, CURLoption o, locust_curl_data_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locust_easy_setopt_share(CURL *h, CURLSH *s) { return curl_easy_setopt(h, CURLOPT_SHARE, s); }

static inline CURLcode locust_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode locust_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode locust_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode locust_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode locust_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLSHcode locust_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }

// CURLMsg.data is a union: read its result field.
static inline CURLcode locust_msg_result(const CURLMsg *m) { return m->data.result; }

#endif
