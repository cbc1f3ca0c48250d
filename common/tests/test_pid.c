/*  hr_pid: getpid() answers the kernel's id without asking it, in the
    process and in a forked child, and it is the getpid the dynamic
    linker gives the libraries (libzmq's mailbox checks).                  */
#include <check.h>
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <czmq.h>
#include "hr_pid.h"

START_TEST (test_getpid_is_the_kernels)
{
    hr_pid_install ();
    ck_assert_int_eq (getpid (), hr_pid_from_kernel ());
    hr_pid_install ();          /* idempotent */
    ck_assert_int_eq (getpid (), hr_pid_from_kernel ());
}
END_TEST

START_TEST (test_forked_child_sees_its_own_id)
{
    hr_pid_install ();
    pid_t parent = getpid ();
    int fds[2];
    ck_assert_int_eq (pipe (fds), 0);
    pid_t child = fork ();
    ck_assert_int_ge (child, 0);
    if (child == 0) {
        pid_t ids[2] = { getpid (), hr_pid_from_kernel () };
        ssize_t n = write (fds[1], ids, sizeof ids);
        _exit (n == (ssize_t) sizeof ids ? 0 : 1);
    }
    pid_t ids[2] = { 0, 0 };
    ck_assert_int_eq (read (fds[0], ids, sizeof ids), (ssize_t) sizeof ids);
    int status = 0;
    ck_assert_int_eq (waitpid (child, &status, 0), child);
    ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    ck_assert_int_eq (ids[0], ids[1]);
    ck_assert_int_eq (ids[0], child);
    ck_assert_int_ne (ids[0], parent);
    ck_assert_int_eq (getpid (), parent);
    close (fds[0]);
    close (fds[1]);
}
END_TEST

START_TEST (test_libraries_bind_to_it)
{
    hr_pid_install ();
    /*  The global lookup libzmq's PLT uses finds this module's getpid.   */
    void *found = dlsym (RTLD_DEFAULT, "getpid");
    ck_assert_ptr_eq (found, (void *) getpid);
    /*  ... and ZeroMQ still works through it.                            */
    zsock_t *a = zsock_new_pair ("@inproc://hr-pid-test");
    zsock_t *b = zsock_new_pair (">inproc://hr-pid-test");
    ck_assert_ptr_nonnull (a);
    ck_assert_ptr_nonnull (b);
    ck_assert_int_eq (zstr_send (b, "ping"), 0);
    char *s = zstr_recv (a);
    ck_assert_str_eq (s, "ping");
    zstr_free (&s);
    zsock_destroy (&b);
    zsock_destroy (&a);
}
END_TEST

int
main (void)
{
    zsys_handler_set (NULL);
    Suite *s = suite_create ("hr_pid");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_getpid_is_the_kernels);
    tcase_add_test (tc, test_forked_child_sees_its_own_id);
    tcase_add_test (tc, test_libraries_bind_to_it);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
