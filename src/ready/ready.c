/* SPDX-License-Identifier: MIT */
/* bulkhead-ready: runs once the services a node needs are up and tells the console, in one line that tests,
 * benchmarks and operators can rely on:
 *     bulkhead: ready version=<version> set=<a|b> boot_ms=<milliseconds since kernel start>
 * Before it, one line of facts about the running system (root device, /etc, data partition, boot count),
 * which is what an operator without a shell wants to see first on a serial console. With --blessed (run
 * after systemd-bless-boot) it syncs the ESP and prints "bulkhead: boot blessed set=<a|b>". With --trial
 * (early in a boot on trial) it marks the boot as not judged yet, so that the next boot can tell a trial
 * boot that hung from one that never happened (decision 0011). */
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "ready-record.h"
#include "ready.h"

#define BOOT_LOG          "/var/lib/bulkhead/boot-log"
#define CONTAINERD_SOCKET "/run/containerd/containerd.sock"
#define API_SOCKET        "/run/api.sock"
#define FAILED_BOOTS      "/var/lib/bulkhead/failed-boots"
#define ESP_DIR           "/efi"
#define TRIAL_MARK        "/var/lib/bulkhead/trial-boot"
/* systemd-boot sets this variable while the booted entry still counts tries: the boot is on trial. */
#define BOOT_COUNT_VAR "/sys/firmware/efi/efivars/LoaderBootCountPath-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

static int console_print(const char *line) {
        _cleanup_close_ int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        int r = loop_write(fd >= 0 ? fd : STDOUT_FILENO, line, strlen(line));

        /* Also on stdout, so the journal has it. */
        if (fd >= 0)
                (void) loop_write(STDOUT_FILENO, line, strlen(line));
        return r;
}

/* Reports, once, the failed boots recorded since the last healthy one: why the node is on this set. */
static void report_failed_boots(void) {
        _cleanup_free_ char *text = NULL;

        if (read_full_file(FAILED_BOOTS, 64 * 1024, &text, NULL) < 0)
                return;
        for (char *l = text, *e; *l; l = e + 1) {
                _cleanup_free_ char *line = NULL;
                e = strchrnul(l, '\n');
                if (e > l && asprintf(&line, "bulkhead: earlier boot failed: %.*s\n", (int) (e - l), l) >= 0)
                        (void) console_print(line);
                if (!*e)
                        break;
        }
        (void) unlink(FAILED_BOOTS);
}

/* Appends this boot's id to the boot log on the data partition and returns how many boots it records. */
static int record_boot(const char *boot_id, unsigned *ret_boots) {
        _cleanup_free_ char *old = NULL, *new = NULL;
        size_t n = 0;
        int r;

        r = read_full_file(BOOT_LOG, 1024 * 1024, &old, NULL);
        if (r == -ENOENT)
                old = strdup("");
        else if (r < 0)
                return r;
        if (!old)
                return -ENOMEM;
        if (!strstr(old, boot_id)) {
                if (asprintf(&new, "%s%s\n", old, boot_id) < 0)
                        return -ENOMEM;
                r = write_file_atomic(BOOT_LOG, new, strlen(new), 0644);
                if (r < 0)
                        return r;
        }
        for (const char *p = new ? new : old; *p; p++)
                n += *p == '\n';
        *ret_boots = (unsigned) n;
        return 0;
}

/* True if something accepts connections on the Unix socket at `path`: the runtime is serving, not just
 * started. */
static bool socket_accepts(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
                return false;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        return connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *cmdline = NULL, *osrel = NULL, *line = NULL, *boot_id = NULL;
        char version[64] = "unknown", set[8] = "?", root_node[64] = "-";
        bool root_verity = false;
        MountFacts root = {}, etc = {}, var = {};
        struct timespec ts;
        _cleanup_free_ char *meminfo = NULL;
        MemoryUse mem = {};
        unsigned boots = 0;
        int r;

        log_set_program("bulkhead-ready");
        if (read_full_file("/proc/cmdline", 64 * 1024, &cmdline, NULL) >= 0)
                (void) cmdline_get(cmdline, "bulkhead.set", set, sizeof(set));
        /* After systemd-bless-boot: the boot counter of this set's UKI is cleared, an update or a power cut
         * from now on cannot make this boot count as failed. */
        if (argc > 1 && streq(argv[1], "--blessed")) {
                /* systemd-bless-boot only renamed the UKI; on vfat the new name's size and start cluster
                 * reach the disk with the file's inode, which nothing writes back until the automount's
                 * idle unmount. Until then a power cut would leave a 0-byte UKI under the blessed name. */
                _cleanup_close_ int esp = open(ESP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = esp < 0 ? negative_errno() : sync_file_system(esp);
                if (r < 0)
                        log_warning_errno(r, "Failed to sync the ESP '%s': %m", ESP_DIR);
                if (asprintf(&line, "bulkhead: boot blessed set=%s\n", set) < 0)
                        return EXIT_FAILURE;
                return console_print(line) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
        bool trial = argc > 1 && streq(argv[1], "--trial");
        if (read_full_file(argc > 1 && !trial ? argv[1] : "/usr/lib/os-release", 64 * 1024, &osrel, NULL) >=
            0)
                (void) os_release_get(osrel, "VERSION_ID", version, sizeof(version));
        r = read_full_file("/proc/sys/kernel/random/boot_id", 64, &boot_id, NULL);
        if (r < 0) {
                log_error_errno(r, "Failed to read this boot's id: %m");
                return EXIT_FAILURE;
        }
        boot_id[strcspn(boot_id, "\n")] = 0;
        (void) mkdir("/var/lib/bulkhead", 0755);
        /* A mark another boot left means that boot, on trial, never got judged: record it. A boot on trial
         * takes it before it marks itself, so that three hung tries are three records. */
        _cleanup_free_ char *unjudged = NULL;
        r = trial_take(TRIAL_MARK, boot_id, &unjudged);
        if (r < 0)
                log_warning_errno(r, "Failed to read '%s': %m", TRIAL_MARK);
        else if (r > 0) {
                _cleanup_free_ char *why = NULL;
                if (asprintf(&why,
                             "%s: never judged (it hung until the watchdog rebooted it, or lost power)",
                             unjudged) >= 0)
                        (void) record_failed_boot(FAILED_BOOTS, why);
        }

        /* Early in a boot on trial (bulkhead-trial.service): if this boot hangs before it is judged, the
         * watchdog on boot-complete.target reboots it, and the next boot finds the mark. */
        if (trial) {
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "version=%s set=%s", version, set) < 0)
                        return EXIT_FAILURE;
                r = trial_mark(TRIAL_MARK, boot_id, what);
                if (r < 0)
                        log_error_errno(r, "Failed to write '%s': %m", TRIAL_MARK);
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }

        if (mount_facts("/proc/self/mountinfo", "/", &root) >= 0)
                (void) block_device_describe("/sys", root.devnum, root_node, sizeof(root_node),
                                             &root_verity);
        (void) mount_facts("/proc/self/mountinfo", "/etc", &etc);
        (void) mount_facts("/proc/self/mountinfo", "/var", &var);
        r = record_boot(boot_id, &boots);
        if (r < 0)
                log_warning_errno(r, "Failed to record this boot in '%s': %m", BOOT_LOG);

        /* Healthy means the settings API and the container runtime serve. A boot on trial that is not
         * healthy must not be blessed: it is recorded, and the unit's failure reboots the node, so that
         * systemd-boot counts the try and falls back to the other set after the last one. */
        bool api_up = socket_accepts(API_SOCKET), containerd_up = socket_accepts(CONTAINERD_SOCKET);
        if (!api_up || !containerd_up) {
                bool on_trial = access(BOOT_COUNT_VAR, F_OK) == 0;
                _cleanup_free_ char *why = NULL;
                if (asprintf(&why, "version=%s set=%s api=%s containerd=%s", version, set,
                             api_up ? "up" : "down", containerd_up ? "up" : "down") < 0)
                        return EXIT_FAILURE;
                if (asprintf(&line, "bulkhead: unhealthy %s%s\n", why,
                             on_trial ? ": this boot is on trial, rebooting" : "") < 0)
                        return EXIT_FAILURE;
                (void) console_print(line);
                if (on_trial) {
                        r = record_failed_boot(FAILED_BOOTS, why);
                        if (r < 0)
                                log_warning_errno(r, "Failed to write '%s': %m", FAILED_BOOTS);
                        return EXIT_FAILURE;
                }
        }
        report_failed_boots();

        if (read_full_file("/proc/meminfo", 64 * 1024, &meminfo, NULL) < 0 ||
            meminfo_parse(meminfo, &mem) < 0)
                log_warning("Failed to read memory use from /proc/meminfo.");

        if (asprintf(&line,
                     "bulkhead: root=%s %s %s verity=%s etc=%s var=%s boots=%u containerd=%s "
                     "mem_used_kib=%llu "
                     "mem_unavailable_kib=%llu\n",
                     root_node, root.fstype, root.read_only ? "ro" : "rw", root_verity ? "yes" : "no",
                     etc.fstype, var.source, boots, containerd_up ? "up" : "down", mem.used,
                     mem.unavailable) < 0)
                return EXIT_FAILURE;
        (void) console_print(line);
        free(line);

        /* CLOCK_BOOTTIME starts with the kernel, so this is time since kernel start, suspend included. */
        clock_gettime(CLOCK_BOOTTIME, &ts);
        if (asprintf(&line, "bulkhead: ready version=%s set=%s boot_ms=%lld\n", version, set,
                     (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000) < 0)
                return EXIT_FAILURE;
        return console_print(line) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
