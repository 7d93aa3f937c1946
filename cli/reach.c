#include "reach.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <systemd/sd-bus.h>

/* The pid of a process named @name, or 0. */
static long find_process(const char *name)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	long found = 0;

	if (!proc)
		return 0;
	while (!found && (e = readdir(proc))) {
		char path[300], comm[64] = "";
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		FILE *f;

		if (*end != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
		if (strcmp(comm, name) == 0)
			found = pid;
	}
	closedir(proc);
	return found;
}

/* systemd's ActiveState of NAME.service, or NULL when systemd is not reachable. */
static char *unit_state(const char *daemon)
{
	sd_bus *bus = NULL;
	char unit[128], *path = NULL, *state = NULL, *load = NULL;

	snprintf(unit, sizeof(unit), "%s.service", daemon);
	if (sd_bus_open_system(&bus) < 0)
		return NULL;
	if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path) >= 0 &&
	    sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
				       "org.freedesktop.systemd1.Unit", "LoadState", NULL,
				       &load) >= 0 &&
	    strcmp(load, "not-found") != 0)
		sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
					   "org.freedesktop.systemd1.Unit", "ActiveState", NULL,
					   &state);
	else if (load)
		state = strdup("not installed");
	free(load);
	free(path);
	sd_bus_unref(bus);
	return state;
}

/*
 * The daemon is there but the socket (mode 0660) is not for us: name the
 * group that opens it, as the socket file says (the daemon's user's group,
 * "lwgate" as installed).
 */
static void explain_denied(const char *path, char *buf, size_t len)
{
	struct stat st;
	const struct group *gr = stat(path, &st) == 0 ? getgrgid(st.st_gid) : NULL;

	snprintf(buf, len,
		 "permission denied: add yourself to group %s to use %s (then log in again)",
		 gr ? gr->gr_name : "lwgate", path);
}

void reach_explain(const char *daemon, const char *path, int err, char *buf, size_t len)
{
	long pid;
	char *state;
	int n;

	if (err == EACCES) {
		explain_denied(path, buf, len);
		return;
	}
	pid = find_process(daemon);
	state = unit_state(daemon);

	n = snprintf(buf, len, "cannot reach %s at %s: %s; ", daemon, path, strerror(err));
	if (n < 0 || (size_t)n >= len)
		goto out;
	if (pid)
		n += snprintf(buf + n, len - (size_t)n,
			      "%s is running (pid %ld) but not on this socket (see [daemon] socket "
			      "in its config, or --socket-dir)",
			      daemon, pid);
	else
		n += snprintf(buf + n, len - (size_t)n, "no %s process is running", daemon);
	if (state && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; %s.service is %s", daemon, state);
out:
	free(state);
}
