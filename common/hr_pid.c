/*  hr_pid — the process id without a system call (see hr_pid.h).  */
#include "hr_pid.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int s_pid;                /* 0: not installed, ask the kernel */
static atomic_flag s_registered = ATOMIC_FLAG_INIT;

pid_t
hr_pid_from_kernel (void)
{
    return (pid_t) syscall (SYS_getpid);
}

static void
s_after_fork_in_child (void)
{
    atomic_store_explicit (&s_pid, (int) hr_pid_from_kernel (), memory_order_relaxed);
}

void
hr_pid_install (void)
{
    if (!atomic_flag_test_and_set (&s_registered))
        pthread_atfork (NULL, NULL, s_after_fork_in_child);
    atomic_store_explicit (&s_pid, (int) hr_pid_from_kernel (), memory_order_relaxed);
}

pid_t
getpid (void)
{
    int pid = atomic_load_explicit (&s_pid, memory_order_relaxed);
    return pid ? (pid_t) pid : hr_pid_from_kernel ();
}
