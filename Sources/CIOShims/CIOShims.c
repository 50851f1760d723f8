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

int cio_refuse_new_handshakes(int fd) {
    // A TCP socket's filter sees the segment from its TCP header: byte 13 holds the flags (0x02 SYN, 0x10 ACK).
    struct sock_filter program_code[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x02, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
    };
    struct sock_fprog program = { .len = sizeof(program_code) / sizeof(program_code[0]), .filter = program_code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}

const char *cio_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}

int cio_set_batch_scheduling(pthread_t thread) {
    struct sched_param param = { .sched_priority = 0 };
    return pthread_setschedparam(thread, SCHED_BATCH, &param);
}
