// CPU_COUNT and sched_getaffinity need _GNU_SOURCE, which must not leak into the header Swift imports.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include "CIOShims.h"

int cio_affinity_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

void cio_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = 0;
    pthread_setname_np(pthread_self(), truncated);
}

int cio_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int cio_drop_incoming_packets(int fd) {
    struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sock_fprog program = { .len = 1, .filter = drop };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}

const char *cio_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}

int cio_set_batch_scheduling(pthread_t thread) {
    struct sched_param param = { .sched_priority = 0 };
    return pthread_setschedparam(thread, SCHED_BATCH, &param);
}
