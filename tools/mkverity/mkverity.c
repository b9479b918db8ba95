/* SPDX-License-Identifier: MIT */
/* mkverity: writes the dm-verity hash tree of a data file and prints the parameters as key=value lines, for
 * the image build (shell `.`-able) and the kernel command line. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "hexutil.h"
#include "log.h"
#include "macro.h"
#include "verity.h"

static const char *arg_salt;
static bool arg_random_salt, arg_pad, arg_superblock = true;
static uint64_t arg_data_blocks;

static void help(void) {
        printf("Usage: mkverity [OPTIONS] DATA HASH\n"
               "Writes the dm-verity hash tree (format 1, sha256, 4096-byte blocks) of DATA to HASH.\n\n"
               "  --salt HEX         use this salt (default: none)\n"
               "  --random-salt      use 32 random bytes as the salt\n"
               "  --no-superblock    do not write veritysetup's superblock (the tree starts at block 0)\n"
               "  --data-blocks N    hash only the first N blocks of DATA\n"
               "  --pad              zero-pad DATA to a multiple of 4096 bytes (veritysetup needs the "
               "same)\n"
               "  -h --help          show this help\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_SALT = 0x100, ARG_RANDOM_SALT, ARG_NO_SB, ARG_BLOCKS, ARG_PAD };
        static const struct option options[] = {
                { "salt", required_argument, NULL, ARG_SALT },
                { "random-salt", no_argument, NULL, ARG_RANDOM_SALT },
                { "no-superblock", no_argument, NULL, ARG_NO_SB },
                { "data-blocks", required_argument, NULL, ARG_BLOCKS },
                { "pad", no_argument, NULL, ARG_PAD },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_SALT:
                        arg_salt = optarg;
                        break;
                case ARG_RANDOM_SALT:
                        arg_random_salt = true;
                        break;
                case ARG_NO_SB:
                        arg_superblock = false;
                        break;
                case ARG_BLOCKS: {
                        char *end;
                        errno = 0;
                        arg_data_blocks = strtoull(optarg, &end, 10);
                        if (errno || *end || arg_data_blocks == 0)
                                return log_error_errno(-EINVAL, "--data-blocks: not a positive number: '%s'",
                                                       optarg);
                        break;
                }
                case ARG_PAD:
                        arg_pad = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (argc - optind != 2)
                return log_error_errno(-EINVAL, "expected DATA and HASH (see --help)");
        if (arg_salt && arg_random_salt)
                return log_error_errno(-EINVAL, "--salt and --random-salt exclude each other");
        return 1;
}

static int run(const char *data_path, const char *hash_path) {
        _cleanup_close_ int data_fd = -EBADF, hash_fd = -EBADF;
        uint8_t root[VERITY_DIGEST_SIZE];
        char root_hex[2 * VERITY_DIGEST_SIZE + 1], salt_hex[2 * VERITY_MAX_SALT + 1];
        VerityParams p;
        struct stat st;
        uint64_t hash_bytes;
        int r;

        verity_params_init(&p);
        p.superblock = arg_superblock;
        if (arg_salt) {
                r = hex_decode(arg_salt, p.salt, sizeof(p.salt), &p.salt_size);
                if (r < 0)
                        return log_error_errno(r, "--salt: %s",
                                               r == -ENOBUFS ? "longer than 256 bytes" : "not hex");
        } else if (arg_random_salt) {
                p.salt_size = 32;
                if (getrandom(p.salt, p.salt_size, 0) != (ssize_t) p.salt_size)
                        return log_error_errno(-EIO, "cannot get random bytes for the salt: %m");
        }
        if (getrandom(p.uuid, sizeof(p.uuid), 0) != (ssize_t) sizeof(p.uuid))
                return log_error_errno(-EIO, "cannot get random bytes for the UUID: %m");

        data_fd = open(data_path, (arg_pad ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (data_fd < 0)
                return log_error_errno(negative_errno(), "cannot open data file '%s': %m", data_path);
        if (fstat(data_fd, &st) < 0)
                return log_error_errno(negative_errno(), "cannot stat '%s': %m", data_path);
        if (st.st_size == 0)
                return log_error_errno(-EINVAL, "data file '%s' is empty", data_path);
        if (st.st_size % p.data_block_size) {
                if (!arg_pad)
                        return log_error_errno(
                                -EINVAL, "data file '%s' is %lld bytes, not a multiple of %u (use --pad)",
                                data_path, (long long) st.st_size, p.data_block_size);
                st.st_size = (off_t) ALIGN_TO((uint64_t) st.st_size, p.data_block_size);
                if (ftruncate(data_fd, st.st_size) < 0)
                        return log_error_errno(negative_errno(), "cannot pad '%s': %m", data_path);
        }
        p.data_blocks = arg_data_blocks ? arg_data_blocks : (uint64_t) st.st_size / p.data_block_size;
        if (p.data_blocks * p.data_block_size > (uint64_t) st.st_size)
                return log_error_errno(-EINVAL, "--data-blocks %llu is more than '%s' holds",
                                       (unsigned long long) p.data_blocks, data_path);

        hash_fd = open(hash_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (hash_fd < 0)
                return log_error_errno(negative_errno(), "cannot create hash file '%s': %m", hash_path);
        r = verity_format(data_fd, hash_fd, &p, root);
        if (r < 0)
                return log_error_errno(r, "cannot build the hash tree of '%s' into '%s': %m", data_path,
                                       hash_path);
        r = verity_hash_size(&p, &hash_bytes);
        if (r < 0)
                return log_error_errno(r, "cannot size the hash tree: %m");
        if (fsync(hash_fd) < 0)
                return log_error_errno(negative_errno(), "cannot write '%s': %m", hash_path);

        hex_encode(root, sizeof(root), root_hex);
        hex_encode(p.salt, p.salt_size, salt_hex);
        printf("root_hash=%s\nsalt=%s\ndata_blocks=%llu\ndata_block_size=%u\nhash_block_size=%u\n"
               "hash_start_block=%u\nhash_bytes=%llu\n",
               root_hex, salt_hex, (unsigned long long) p.data_blocks, p.data_block_size, p.hash_block_size,
               p.superblock ? 1 : 0, (unsigned long long) hash_bytes);
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_set_program("mkverity");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return run(argv[optind], argv[optind + 1]) < 0 ? 1 : 0;
}
