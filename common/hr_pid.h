/*  hr_pid — the process id without a system call.

    libzmq asks getpid() each time a thread signals or checks a socket's
    mailbox (its fork detection, signaler.cpp), and glibc (since 2.25) no
    longer caches it: a system call each, ~1 us on this project's VMs, ~50
    per /home over the stack's processes (bench/syscalls.sh).  This module
    defines getpid() in the executable it is linked into: the id read once
    at hr_pid_install, read again in the child of every fork
    (pthread_atfork).  The dynamic linker binds libzmq's, czmq's and
    libpq's calls to it because an executable's definitions come first.

    A child made by clone/vfork/posix_spawn without fork handlers would see
    its parent's id until it execs; no code here asks for its id there.   */
#ifndef HR_PID_H
#define HR_PID_H

#include <sys/types.h>

/*  Caches the id and registers the fork handler; every main that uses
    ZeroMQ calls it first (this also links the module in).  Idempotent.  */
void hr_pid_install (void);

/*  The id as the kernel says (a system call), for tests.                 */
pid_t hr_pid_from_kernel (void);

#endif
