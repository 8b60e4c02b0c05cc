/*
 * curl_floor: the floor that libcurl sets for any engine built on it.
 *
 * N easy handles on one multi handle, each doing GET URL over a keep-alive connection and re-added as
 * soon as it completes, for a fixed duration; CURLOPT_NOSIGNAL is set (no rt_sigaction per transfer).
 * It sends the request SwiftLocust sends (a User-Agent and Accept-Encoding with every encoding libcurl
 * decodes), so that both do the same HTTP work; without those two headers it costs about 0.6 us less.
 * Like SwiftLocust when the environment names no proxy, it sets an empty CURLOPT_PROXY and
 * CURLOPT_NOPROXY: otherwise libcurl looks up six proxy variables for every transfer.
 * The multi handle is driven with curl_multi_poll. Bodies are discarded.
 *
 *   cc -O2 -o curl_floor curl_floor.c -lcurl
 *   ./curl_floor URL [CONNECTIONS=50] [SECONDS=10]
 *
 * Prints one line: `requests N errors E seconds S rps R` (only completed 2xx transfers count as
 * requests); exits 1 when any transfer failed or none completed.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data;
    *(long *)user += (long)(size * count);
    return size * count;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s URL [CONNECTIONS] [SECONDS]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    int connections = argc > 2 ? atoi(argv[2]) : 50;
    double seconds = argc > 3 ? atof(argv[3]) : 10.0;
    if (connections < 1 || seconds <= 0) {
        fprintf(stderr, "curl_floor: bad connections or seconds\n");
        return 2;
    }

    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)connections * 2);
    long *bytes = calloc((size_t)connections, sizeof(long));
    for (int i = 0; i < connections; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bytes[i]);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &bytes[i]);
        curl_easy_setopt(easy, CURLOPT_USERAGENT, "SwiftLocust/0.1.0");
        curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
        /* As SwiftLocust when no proxy variable is set: no proxy, so no getenv calls per transfer. */
        curl_easy_setopt(easy, CURLOPT_PROXY, "");
        curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
        curl_multi_add_handle(multi, easy);
    }

    long requests = 0, errors = 0;
    int active = connections;
    double start = now(), deadline = start + seconds;
    int stopping = 0;
    while (active > 0) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *easy = msg->easy_handle;
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (msg->data.result == CURLE_OK && status >= 200 && status < 300) requests++;
            else errors++;
            curl_multi_remove_handle(multi, easy);
            if (!stopping && now() < deadline) {
                curl_multi_add_handle(multi, easy);  /* again, on the cached keep-alive connection */
            } else {
                stopping = 1;
                active--;
            }
        }
        if (active > 0) curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    double elapsed = now() - start;
    printf("requests %ld errors %ld seconds %.3f rps %.1f\n", requests, errors, elapsed, requests / elapsed);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return (errors > 0 || requests == 0) ? 1 : 0;
}
