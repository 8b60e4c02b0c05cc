#ifndef LOCUST_CZEROMQ_SHIM_H
#define LOCUST_CZEROMQ_SHIM_H

#include <zmq.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <string.h>

/// Names the calling thread (the kernel keeps 15 bytes), as `top -H`, `ps -L` and gdb show it.
/// `prctl` is variadic, which Swift cannot call.
static inline int czmq_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

/// libzmq's own error number for "the context was terminated" (a macro computed from
/// ZMQ_HAUSNUMERO, not a system errno).
static inline int czmq_eterm(void) {
    return ETERM;
}

/// The file descriptor of the connection a received message came on (`ZMQ_SRCFD`: deprecated in
/// 4.3 but still answered, from the message's private "__fd" property), or -1 if it has none.
static inline int czmq_msg_source_fd(const zmq_msg_t *msg) {
    return zmq_msg_get(msg, ZMQ_SRCFD);
}

/// Reads the first frame of a version-1 monitor event: 6 bytes, a uint16 event number then a
/// uint32 value (a file descriptor for ACCEPTED/CONNECTED/DISCONNECTED), in host byte order and
/// unaligned. Returns 0, or -1 if the frame is not 6 bytes long.
static inline int czmq_monitor_event_header(const void *data, size_t size, uint16_t *event, uint32_t *value) {
    if (size != 6) {
        return -1;
    }
    memcpy(event, data, sizeof(uint16_t));
    memcpy(value, (const unsigned char *)data + sizeof(uint16_t), sizeof(uint32_t));
    return 0;
}

#endif
