/* fileio.c: atomic writes and bounded whole-file reads. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, cap, ".");
    } else if (slash == path) {
        snprintf(dir, cap, "/");
    } else {
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
    }
}

nn2_status nn2_check_writable(const char *path, nn2_error *err)
{
    char tmp[4096];
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return nn2_fail(err, NN2_ERR_IO, "%s: is a directory", path);
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return nn2_fail(err, NN2_ERR_IO, "%s: path too long", path);
    const int fd = mkstemp(tmp);
    if (fd < 0) return nn2_fail(err, NN2_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    close(fd);
    unlink(tmp);
    return NN2_OK;
}

int nn2_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
    na = na ? na + 1 : a;
    nb = nb ? nb + 1 : b;
    if (strcmp(na, nb) != 0) return 0;
    char da[4096], db[4096];
    dir_of(a, da, sizeof da);
    dir_of(b, db, sizeof db);
    if (stat(da, &sa) == 0 && stat(db, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

nn2_status nn2_write_atomic(const char *path, const void *data, size_t len, nn2_error *err)
{
    char tmp[4096], dir[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return nn2_fail(err, NN2_ERR_IO, "%s: path too long", path);
    const int fd = mkstemp(tmp);
    if (fd < 0) return nn2_fail(err, NN2_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        const ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            const int e = errno;
            close(fd);
            unlink(tmp);
            return nn2_fail(err, NN2_ERR_IO, "%s: write failed: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    /* mkstemp makes 0600 files; a model or metrics file is an ordinary 0644-under-umask file. */
    const mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) {
        const int e = errno;
        close(fd);
        unlink(tmp);
        return nn2_fail(err, NN2_ERR_IO, "%s: cannot sync: %s", path, strerror(e));
    }
    /* Test hook: NN2_TEST_SLOW_WRITE_MS holds the complete temporary file back from the rename
     * for that long, so that tests can kill the process in the middle of a write. */
    const char *slow = getenv("NN2_TEST_SLOW_WRITE_MS");
    if (slow && *slow) {
        const long ms = strtol(slow, NULL, 10);
        const struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        if (ms > 0) nanosleep(&ts, NULL);
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        const int e = errno;
        unlink(tmp);
        return nn2_fail(err, NN2_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    dir_of(path, dir, sizeof dir);
    const int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd); /* best effort: the rename is durable once the directory is */
        close(dfd);
    }
    return NN2_OK;
}

nn2_status nn2_read_file(const char *path, size_t max_bytes, char **out, size_t *len,
                         nn2_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return nn2_fail(err, NN2_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return nn2_fail(err, NN2_ERR_IO, "%s: not a regular file", path);
    }
    if ((size_t)sb.st_size > max_bytes) {
        fclose(f);
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: %lld bytes, more than the %zu allowed", path,
                        (long long)sb.st_size, max_bytes);
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    if (!buf) {
        fclose(f);
        return nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory", path);
    }
    const size_t got = fread(buf, 1, (size_t)sb.st_size, f);
    const int bad = ferror(f);
    fclose(f);
    if (bad || got != (size_t)sb.st_size) {
        free(buf);
        return nn2_fail(err, NN2_ERR_IO, "%s: read error", path);
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return NN2_OK;
}
