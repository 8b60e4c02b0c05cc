#ifndef LOCUST_CCURL_SHIM_H
#define LOCUST_CCURL_SHIM_H

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>

// Names the calling thread for the kernel (top -H, perf, /proc/PID/task/TID/comm); at most 15 bytes.
static inline int locust_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

// jemalloc's control interface, when the process runs on jemalloc (the `locust` runner preloads it; a test
// binary or another host of LocustAPI may not): a weak reference, null under glibc's malloc.
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen) __attribute__((weak));

// True when malloc is jemalloc's.
static inline int locust_runs_on_jemalloc(void) { return mallctl != 0; }

// Under glibc's malloc only (jemalloc keeps freed memory for its decay time on its own): every response
// body is a fresh buffer, so keep freed memory in the process instead of letting glibc unmap large
// blocks and map the next one anew (page faults on every 64 KiB response).
static inline void locust_keep_freed_memory(void) {
    if (locust_runs_on_jemalloc()) return;
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
}

// Gives free heap pages back to the kernel (after the engine dropped a burst's surplus easy handles):
// jemalloc purges every arena's unused dirty pages (4096 is MALLCTL_ARENAS_ALL), glibc trims its heaps.
static inline void locust_release_free_memory(void) {
    if (locust_runs_on_jemalloc()) {
        mallctl("arena.4096.purge", 0, 0, 0, 0);
    } else {
        malloc_trim(0);
    }
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

// The multi handle's socket interface (curl_multi_socket_action): callbacks and their user pointer.
typedef int (*locust_socket_cb)(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp);
typedef int (*locust_timer_cb)(CURLM *multi, long timeout_ms, void *userp);
static inline CURLMcode locust_multi_setopt_ptr(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode locust_multi_setopt_socket_cb(CURLM *m, locust_socket_cb cb) { return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, cb); }
static inline CURLMcode locust_multi_setopt_timer_cb(CURLM *m, locust_timer_cb cb) { return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, cb); }
typedef curl_socket_t (*locust_opensocket_cb)(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);
typedef int (*locust_closesocket_cb)(void *clientp, curl_socket_t item);
static inline CURLcode locust_easy_setopt_opensocket_cb(CURL *h, locust_opensocket_cb cb) { return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, cb); }
static inline CURLcode locust_easy_setopt_closesocket_cb(CURL *h, locust_closesocket_cb cb) { return curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, cb); }
static inline curl_socket_t locust_socket_timeout(void) { return CURL_SOCKET_TIMEOUT; }

// epoll: struct epoll_event is packed on x86-64 and its data is a union, so Swift goes through these.
static inline int locust_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &ev);
}
static inline struct epoll_event *locust_epoll_events_allocate(int count) {
    return (struct epoll_event *)calloc((size_t)count, sizeof(struct epoll_event));
}
static inline int locust_epoll_wait(int epfd, struct epoll_event *events, int count, int timeout_ms) {
    return epoll_wait(epfd, events, count, timeout_ms);
}
static inline uint64_t locust_epoll_token(const struct epoll_event *events, int i) { return events[i].data.u64; }
static inline uint32_t locust_epoll_flags(const struct epoll_event *events, int i) { return events[i].events; }

#endif
