/* msgpack-c 4.0 on the same Locust stats report as main.swift: msgpack_unpack_next into its object
 * tree plus a walk of every node (what a master merging the report touches), and msgpack_pack_object
 * of that tree back to bytes. Prints tab-separated figures (µs per report: median, fastest run) for
 * main.swift's table, and the walk's checksum (the same four figures as main.swift's Checksum).
 *
 *   cc -O2 -o msgpack_c_bench msgpack_c_bench.c -lmsgpackc
 *   ./msgpack_c_bench report.msgpack
 *   valgrind --tool=callgrind ./msgpack_c_bench report.msgpack unpack 100   (instruction counts)
 */
#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct checksum {
    uint64_t integers;
    double doubles;
    size_t string_bytes;
    size_t nils;
};

static void walk(const msgpack_object *o, struct checksum *sum) {
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: sum->nils++; break;
    case MSGPACK_OBJECT_BOOLEAN: break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: sum->integers += o->via.u64; break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: sum->integers += (uint64_t)o->via.i64; break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: sum->doubles += o->via.f64; break;
    case MSGPACK_OBJECT_STR: sum->string_bytes += o->via.str.size; break;
    case MSGPACK_OBJECT_BIN: sum->string_bytes += o->via.bin.size; break;
    case MSGPACK_OBJECT_EXT: sum->string_bytes += o->via.ext.size; break;
    case MSGPACK_OBJECT_ARRAY:
        for (uint32_t i = 0; i < o->via.array.size; i++) walk(&o->via.array.ptr[i], sum);
        break;
    case MSGPACK_OBJECT_MAP:
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            walk(&o->via.map.ptr[i].key, sum);
            walk(&o->via.map.ptr[i].val, sum);
        }
        break;
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *data;
static size_t length;
static msgpack_unpacked unpacked;
static msgpack_sbuffer sbuffer;
static msgpack_packer packer;
static volatile uint64_t sink;

static void unpack_and_walk(void) {
    size_t offset = 0;
    /* Reuses `unpacked`'s zone, as a long-lived receiver would. */
    if (msgpack_unpack_next(&unpacked, data, length, &offset) != MSGPACK_UNPACK_SUCCESS || offset != length) {
        fprintf(stderr, "msgpack-c: unpack failed\n");
        exit(1);
    }
    struct checksum sum = {0, 0, 0, 0};
    walk(&unpacked.data, &sum);
    sink += sum.string_bytes;
}

static void pack(void) {
    msgpack_sbuffer_clear(&sbuffer);
    msgpack_pack_object(&packer, unpacked.data);
    sink += sbuffer.size;
}

/* Median and fastest µs per call over 11 runs of at least ~60 ms each. */
static void measure(void (*body)(void), double *median, double *fastest) {
    for (int i = 0; i < 3; i++) body();
    double start = now();
    body();
    double once = now() - start;
    long iterations = once > 0 ? (long)(0.06 / once) : 100000;
    if (iterations < 1) iterations = 1;
    double runs[11];
    for (int r = 0; r < 11; r++) {
        start = now();
        for (long i = 0; i < iterations; i++) body();
        runs[r] = (now() - start) / (double)iterations * 1e6;
    }
    qsort(runs, 11, sizeof runs[0], compare);
    *median = runs[5];
    *fastest = runs[0];
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: %s report.msgpack [unpack|pack COUNT]  (COUNT runs of one, for callgrind)\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 1;
    }
    static char buffer[1 << 20];
    length = fread(buffer, 1, sizeof buffer, file);
    fclose(file);
    data = buffer;

    msgpack_unpacked_init(&unpacked);
    msgpack_sbuffer_init(&sbuffer);
    msgpack_packer_init(&packer, &sbuffer, msgpack_sbuffer_write);

    unpack_and_walk();
    struct checksum sum = {0, 0, 0, 0};
    walk(&unpacked.data, &sum);
    pack();
    int identical = sbuffer.size == length && memcmp(sbuffer.data, data, length) == 0;

    if (argc == 4) {
        long count = atol(argv[3]);
        for (long i = 0; i < count; i++) {
            if (strcmp(argv[2], "pack") == 0) pack(); else unpack_and_walk();
        }
        printf("%llu\n", (unsigned long long)sink);
        return 0;
    }

    double median, fastest;
    measure(unpack_and_walk, &median, &fastest);
    printf("unpack+walk\t%.3f\t%.3f\n", median, fastest);
    measure(pack, &median, &fastest);
    printf("pack\t%.3f\t%.3f\n", median, fastest);
    printf("checksum\t%llu %.6f %zu %zu\n", (unsigned long long)sum.integers, sum.doubles, sum.string_bytes, sum.nils);
    printf("repacked-identical\t%s\n", identical ? "yes" : "no");
    msgpack_sbuffer_destroy(&sbuffer);
    msgpack_unpacked_destroy(&unpacked);
    return 0;
}
