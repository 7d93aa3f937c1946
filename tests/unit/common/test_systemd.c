#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/systemd.h"

struct listener {
	char dir[64];
	char path[128];
	int fd;
};

/* A datagram socket in a fresh folder, like systemd's notify socket or journald's. */
static int listener_setup(void **state)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	assert_non_null(l);
	snprintf(l->dir, sizeof(l->dir), "/tmp/lwgate-sd-XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->path, sizeof(l->path), "%s/socket", l->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", l->path);
	l->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	*state = l;
	return 0;
}

static int listener_teardown(void **state)
{
	struct listener *l = *state;

	close(l->fd);
	unlink(l->path);
	rmdir(l->dir);
	free(l);
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

static size_t receive(int fd, uint8_t *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);

	assert_true(n >= 0);
	return (size_t)n;
}

static void test_notify_path(void **state)
{
	struct listener *l = *state;
	uint8_t buf[256];
	size_t n;

	setenv("NOTIFY_SOCKET", l->path, 1);
	assert_int_equal(systemd_notify("READY=1\nSTATUS=serving /run/x.sock"), 0);
	n = receive(l->fd, buf, sizeof(buf));
	assert_int_equal(n, strlen("READY=1\nSTATUS=serving /run/x.sock"));
	assert_memory_equal(buf, "READY=1\nSTATUS=serving /run/x.sock", n);
}

static void test_notify_abstract(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char name[64];
	uint8_t buf[64];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	size_t len;

	snprintf(name, sizeof(name), "@lwgate-sd-test-%d", (int)getpid());
	len = strlen(name);
	memcpy(sun.sun_path + 1, name + 1, len - 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
			 0);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(systemd_notify("WATCHDOG=1"), 0);
	assert_int_equal(receive(fd, buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "WATCHDOG=1", 10);
	close(fd);
}

static void test_notify_not_under_systemd(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(systemd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(systemd_notify("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "/nonexistent-lwgate/notify", 1);
	assert_int_equal(systemd_notify("READY=1"), -ENOENT);
}

static void test_watchdog(void **state)
{
	char pid[16];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(systemd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "3000000", 1);
	assert_int_equal(systemd_watchdog_usec(), 3000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(systemd_watchdog_usec(), 3000000);
	/* meant for another process (we are its child) */
	snprintf(pid, sizeof(pid), "%d", (int)getppid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(systemd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "3s", 1);
	assert_int_equal(systemd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(systemd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}

/* The record as journald's native protocol documents it, built here by hand. */
static void test_journal_record(void **state)
{
	struct listener *l = *state;
	const struct systemd_field f[] = {
		{ "MESSAGE", "coap: listening" },
		{ "PRIORITY", "6" },
		{ "SYSLOG_IDENTIFIER", "lwm2md" },
		{ "LWGATE_COMPONENT", "coap" },
	};
	static const char want[] = "MESSAGE=coap: listening\nPRIORITY=6\n"
				   "SYSLOG_IDENTIFIER=lwm2md\nLWGATE_COMPONENT=coap\n";
	uint8_t buf[512];
	size_t n;

	assert_int_equal(systemd_journal_send(l->path, f, 4), 0);
	n = receive(l->fd, buf, sizeof(buf));
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(buf, want, n);
}

/* A value with a newline goes as NAME\n, its length (64-bit LE), the bytes, \n. */
static void test_journal_binary_field(void **state)
{
	struct listener *l = *state;
	const struct systemd_field f[] = {
		{ "MESSAGE", "two\nlines" },
		{ "PRIORITY", "3" },
	};
	static const uint8_t want[] = { 'M', 'E', 'S', 'S', 'A', 'G',  'E', '\n', 9,   0,
					0,   0,   0,   0,   0,   0,    't', 'w',  'o', '\n',
					'l', 'i', 'n', 'e', 's', '\n', 'P', 'R',  'I', 'O',
					'R', 'I', 'T', 'Y', '=', '3',  '\n' };
	uint8_t buf[512];
	size_t n;

	assert_int_equal(systemd_journal_send(l->path, f, 2), 0);
	n = receive(l->fd, buf, sizeof(buf));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, n);
}

static void test_journal_refuses(void **state)
{
	struct listener *l = *state;
	const struct systemd_field lower[] = { { "message", "x" } };
	const struct systemd_field trusted[] = { { "_PID", "1" } };
	const struct systemd_field digit[] = { { "1ST", "x" } };
	const struct systemd_field ok[] = { { "MESSAGE", "x" } };
	struct systemd_field many[17];

	for (size_t i = 0; i < 17; i++)
		many[i] = ok[0];
	assert_int_equal(systemd_journal_send(l->path, lower, 1), -EINVAL);
	assert_int_equal(systemd_journal_send(l->path, trusted, 1), -EINVAL);
	assert_int_equal(systemd_journal_send(l->path, digit, 1), -EINVAL);
	assert_int_equal(systemd_journal_send(l->path, ok, 0), -EINVAL);
	assert_int_equal(systemd_journal_send(l->path, many, 17), -EINVAL);
	assert_int_equal(systemd_journal_send("/nonexistent-lwgate/journal", ok, 1), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_path, listener_setup,
						listener_teardown),
		cmocka_unit_test(test_notify_abstract),
		cmocka_unit_test(test_notify_not_under_systemd),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test_setup_teardown(test_journal_record, listener_setup,
						listener_teardown),
		cmocka_unit_test_setup_teardown(test_journal_binary_field, listener_setup,
						listener_teardown),
		cmocka_unit_test_setup_teardown(test_journal_refuses, listener_setup,
						listener_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
