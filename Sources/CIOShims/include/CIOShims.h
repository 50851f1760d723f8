#ifndef CIOSHIMS_H
#define CIOSHIMS_H
// Linux headers that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>

// epoll_event is packed on x86_64; these accessors keep Swift away from its layout.
static inline uint64_t cio_epoll_event_data(const struct epoll_event *event) { return event->data.u64; }
static inline uint32_t cio_epoll_event_events(const struct epoll_event *event) { return event->events; }
static inline int cio_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = { .events = events, .data = { .u64 = data } };
    return epoll_ctl(epfd, op, fd, &event);
}
static inline size_t cio_epoll_event_size(void) { return sizeof(struct epoll_event); }
// The number of CPUs this thread may run on (sched_getaffinity), or -1.
int cio_affinity_cpu_count(void);
// accept4 needs _GNU_SOURCE.
int cio_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
// Names the calling thread (pthread_setname_np needs _GNU_SOURCE); at most 15 bytes are kept.
void cio_set_thread_name(const char *name);
// Attaches a socket filter to the listening socket `fd` that drops every segment opening a connection (SYN without
// ACK): no new handshake starts, while one already under way completes (its final ACK passes) and is queued for
// accept. A dropped SYN is retried by its client's kernel and refused once the socket is closed. 0 or -1 with errno.
int cio_refuse_new_handshakes(int fd);
// A signal's abbreviation without "SIG" ("TERM"), or NULL for a number that names none (sigabbrev_np needs
// _GNU_SOURCE).
const char *cio_signal_abbreviation(int signal);
// Puts `thread` under SCHED_BATCH: its wake-ups do not preempt the running thread. 0 or an errno.
int cio_set_batch_scheduling(pthread_t thread);
// Asks the CPU to bring `bytes` from `address` into cache for writing. Only a hint: a prefetch never faults, so a
// stale or freed address costs nothing but the miss.
static inline void cio_prefetch_for_write(const void *address, size_t bytes) {
    for (size_t offset = 0; offset < bytes; offset += 64) {
        __builtin_prefetch((const char *)address + offset, 1, 3);
    }
}
#endif
