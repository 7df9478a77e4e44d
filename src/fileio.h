/* fileio.h: atomic file output: a temporary file in the target's directory, fsync, rename over
 * the target, fsync of the directory. A failure leaves any previous file untouched. */
#ifndef NN2_FILEIO_H
#define NN2_FILEIO_H

#include "common.h"

nn2_status nn2_write_atomic(const char *path, const void *data, size_t len, nn2_error *err);
/* Can nn2_write_atomic write path? Checked before a long run: path is not a directory and a
 * temporary file can be created (and is removed again) in its directory. */
nn2_status nn2_check_writable(const char *path, nn2_error *err);
/* Do two paths name one file? The same inode where both exist; otherwise the same name in the
 * same directory (./m.json, m.json and d/../m.json are one file; so are a link and its target). */
int nn2_same_file(const char *a, const char *b);
/* Read a whole file (at most max_bytes) into a NUL-terminated buffer the caller frees. */
nn2_status nn2_read_file(const char *path, size_t max_bytes, char **out, size_t *len,
                         nn2_error *err);

#endif
