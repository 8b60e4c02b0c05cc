/*
 * curl_paced: the bare-libcurl twin of SwiftLocust's paced users, for bench/many-connections.py.
 *
 * USERS easy handles, each sending GET URL once every PERIOD seconds over its own keep-alive connection,
 * the users' start times spread evenly over the first period (user i is due at i * PERIOD / USERS, then
 * every PERIOD). Built as SwiftLocust's engine is, without a runtime around it: one thread, epoll, the
 * users spread over multi handles of 64 (libcurl 7.88 walks a multi handle's whole connection cache for
 * every finished transfer), each user's connections kept apart with CURLOPT_ADDRESS_SCOPE, sockets bound
 * round robin to the SOURCES (comma-separated IPv4 addresses) with IP_BIND_ADDRESS_NO_PORT in an
 * open-socket callback, CURLOPT_NOSIGNAL, an empty proxy, SwiftLocust's User-Agent and Accept-Encoding.
 * Since every user has the same period, the next user due is always the one after the last: the
 * schedule needs no timer heap.
 *
 *   cc -O2 -o curl_paced curl_paced.c -lcurl
 *   ./curl_paced URL USERS SECONDS PERIOD [SOURCES] [HISTOGRAM_FILE]
 *
 * Runs SECONDS (or until SIGTERM), prints `all-started` on stderr once every user has sent its first
 * request, then one line `requests N errors E busy B seconds S`; B counts turns skipped because the
 * user's previous request was still running. HISTOGRAM_FILE gets `KIND SECOND MICROSECONDS COUNT` lines
 * (as PacedLatencyLog of the TestTargets plugin): `elapsed` (CURLINFO_TOTAL_TIME_T), `task` (from the
 * handle's add to its completion as seen by this loop) and `late` (how late the loop added the handle),
 * per wall-clock second.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define GROUP 64
#define BUCKETS 1600
#define SLOTS 400
#define KINDS 3
static const char *kind_names[KINDS] = {"elapsed", "task", "late"};

static uint32_t *hist;  /* SLOTS * KINDS * BUCKETS */
static long hist_second[SLOTS];

static int bucket(uint64_t us) {
    if (us < 1024) return (int)us;
    int octave = 63 - __builtin_clzll(us);
    int sub = (int)((us >> (octave - 5)) & 31);
    int b = 1024 + (octave - 10) * 32 + sub;
    return b < BUCKETS ? b : BUCKETS - 1;
}

static double bucket_value(int b) {
    if (b < 1024) return b;
    int octave = (b - 1024) / 32 + 10, sub = (b - 1024) % 32;
    double width = (double)(1L << (octave - 5));
    return (double)(1L << octave) + sub * width + width / 2;
}

static void record(int kind, uint64_t us) {
    long now = (long)time(NULL);
    int slot = (int)(now % SLOTS);
    if (hist_second[slot] != now) {
        hist_second[slot] = now;
        memset(&hist[(size_t)slot * KINDS * BUCKETS], 0, sizeof(uint32_t) * KINDS * BUCKETS);
    }
    hist[((size_t)slot * KINDS + kind) * BUCKETS + bucket(us)]++;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct group {
    CURLM *multi;
    uint64_t deadline; /* ns, UINT64_MAX: none */
    int index;
};

struct user {
    CURL *easy;
    struct sockaddr_in source;
    int has_source;
    int busy;
    uint64_t added;
    uint64_t due;
};

static int epfd;
static struct group *groups;
static int ngroups;
static volatile sig_atomic_t stop_flag;
static long requests, errors, busy_turns;

static void on_term(int sig) { (void)sig; stop_flag = 1; }

static size_t discard(char *d, size_t s, size_t n, void *u) { (void)d; (void)u; return s * n; }

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
    (void)easy; (void)socketp;
    struct group *g = userp;
    struct epoll_event ev = {0};
    ev.data.u64 = ((uint64_t)g->index << 32) | (uint32_t)fd;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
    (void)multi;
    struct group *g = userp;
    g->deadline = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000ull;
    return 0;
}

static curl_socket_t open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr) {
    (void)purpose;
    struct user *u = clientp;
    int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    /* Reset rather than close at exit, as SwiftLocust does: no TIME_WAIT left for the next run. */
    struct linger reset = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    if (u->has_source && addr->family == AF_INET) {
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&u->source, sizeof u->source) != 0) {
            close(fd);
            return CURL_SOCKET_BAD;
        }
    }
    return fd;
}

static void drain(struct group *g, struct user *users) {
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(g->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        struct user *u;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&u);
        long status = 0;
        curl_off_t total = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_TOTAL_TIME_T, &total);
        if (msg->data.result == CURLE_OK && status >= 200 && status < 300) requests++;
        else errors++;
        record(0, (uint64_t)total);
        record(1, (now_ns() - u->added) / 1000);
        curl_multi_remove_handle(g->multi, msg->easy_handle);
        u->busy = 0;
    }
    (void)users;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s URL USERS SECONDS PERIOD [SOURCES] [HISTOGRAM_FILE]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    long n = atol(argv[2]);
    double seconds = atof(argv[3]), period = atof(argv[4]);
    const char *sources = argc > 5 && argv[5][0] ? argv[5] : NULL;
    const char *hist_path = argc > 6 ? argv[6] : NULL;
    if (n < 1 || seconds <= 0 || period <= 0) return 2;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    hist = calloc((size_t)SLOTS * KINDS * BUCKETS, sizeof(uint32_t));
    for (int i = 0; i < SLOTS; i++) hist_second[i] = -1;

    struct in_addr addrs[256];
    int naddrs = 0;
    if (sources) {
        char *copy = strdup(sources), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t && naddrs < 256; t = strtok_r(NULL, ",", &save))
            if (inet_pton(AF_INET, t, &addrs[naddrs]) == 1) naddrs++;
    }

    curl_global_init(CURL_GLOBAL_ALL);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    ngroups = (int)((n + GROUP - 1) / GROUP);
    groups = calloc((size_t)ngroups, sizeof *groups);
    for (int i = 0; i < ngroups; i++) {
        groups[i].index = i;
        groups[i].deadline = UINT64_MAX;
        groups[i].multi = curl_multi_init();
        curl_multi_setopt(groups[i].multi, CURLMOPT_MAXCONNECTS, (long)GROUP * 2);
        curl_multi_setopt(groups[i].multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
        curl_multi_setopt(groups[i].multi, CURLMOPT_SOCKETDATA, &groups[i]);
        curl_multi_setopt(groups[i].multi, CURLMOPT_TIMERFUNCTION, timer_cb);
        curl_multi_setopt(groups[i].multi, CURLMOPT_TIMERDATA, &groups[i]);
    }
    struct user *users = calloc((size_t)n, sizeof *users);
    for (long i = 0; i < n; i++) {
        struct user *u = &users[i];
        CURL *e = u->easy = curl_easy_init();
        if (naddrs) {
            u->has_source = 1;
            u->source.sin_family = AF_INET;
            u->source.sin_addr = addrs[i % naddrs];
        }
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_PRIVATE, u);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "SwiftLocust/0.1.0");
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
        curl_easy_setopt(e, CURLOPT_ADDRESS_SCOPE, (long)(i % GROUP) + 1);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_cb);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, u);
    }

    uint64_t t0 = now_ns(), end = t0 + (uint64_t)(seconds * 1e9);
    double step = period * 1e9 / (double)n;
    uint64_t seq = 0;
    int announced = 0;
    struct epoll_event events[512];
    while (!stop_flag) {
        uint64_t now = now_ns();
        if (now >= end) break;
        /* Add every user that is due. */
        for (;;) {
            uint64_t due = t0 + (uint64_t)((double)seq * step);
            if (due > now) break;
            struct user *u = &users[seq % (uint64_t)n];
            struct group *g = &groups[(seq % (uint64_t)n) / GROUP];
            if (u->busy) {
                busy_turns++;
            } else {
                u->busy = 1;
                u->added = now;
                record(2, (now - due) / 1000);
                curl_multi_add_handle(g->multi, u->easy);
            }
            seq++;
            if (!announced && seq == (uint64_t)n) {
                announced = 1;
                fprintf(stderr, "all-started\n");
            }
        }
        /* Fire the timers that are due. */
        uint64_t next = t0 + (uint64_t)((double)seq * step);
        for (int i = 0; i < ngroups; i++) {
            if (groups[i].deadline <= now) {
                int running;
                groups[i].deadline = UINT64_MAX;
                curl_multi_socket_action(groups[i].multi, CURL_SOCKET_TIMEOUT, 0, &running);
                drain(&groups[i], users);
            }
            if (groups[i].deadline < next) next = groups[i].deadline;
        }
        now = now_ns();
        int timeout = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
        if (timeout > 100) timeout = 100;
        int k = epoll_wait(epfd, events, 512, timeout);
        for (int j = 0; j < k; j++) {
            struct group *g = &groups[events[j].data.u64 >> 32];
            int fd = (int)(uint32_t)events[j].data.u64;
            int mask = (events[j].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                       (events[j].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (events[j].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            int running;
            curl_multi_socket_action(g->multi, fd, mask, &running);
            drain(g, users);
        }
    }
    double elapsed = (double)(now_ns() - t0) / 1e9;
    printf("requests %ld errors %ld busy %ld seconds %.3f\n", requests, errors, busy_turns, elapsed);
    fflush(stdout);
    if (hist_path) {
        FILE *f = fopen(hist_path, "w");
        if (f) {
            for (int s = 0; s < SLOTS; s++) {
                if (hist_second[s] < 0) continue;
                for (int k = 0; k < KINDS; k++)
                    for (int b = 0; b < BUCKETS; b++) {
                        uint32_t c = hist[((size_t)s * KINDS + k) * BUCKETS + b];
                        if (c) fprintf(f, "%s %ld %.1f %u\n", kind_names[k], hist_second[s], bucket_value(b), c);
                    }
            }
            fclose(f);
        }
    }
    return errors > 0 ? 1 : 0;
}
