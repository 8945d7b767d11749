import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { OpendataFileStore, PublishedFile } from '../../services/opendata/ports.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;
const DESCRIPTION = '.meta.json';
const TEMP = '.tmp-';

/** Removes the temporary files of the writer tagged `tag` (it died: they will never be published). */
export async function removeTaggedTemps(dir: string, tag: string): Promise<void> {
  for (const folder of [dir, join(dir, 'blobs')]) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names)
      if (name.startsWith(`${TEMP}${tag}-`)) await rm(join(folder, name), { force: true });
  }
}

/**
 * Files under DIR (DATA_DIR/opendata): the bytes go to blobs/<sha256>, written under a temporary name,
 * flushed to disk and renamed; then the description <name>.meta.json is written the same way. Renaming
 * the description is the one step that publishes, so a process killed at any point leaves the previous
 * version (or nothing) published, never a part of a file. Left-over temporary files are removed on start,
 * only when older than `staleTempMs` (1 hour): several processes may share DIR, and one's start must not
 * delete a file another is writing.
 */
export function directoryFileStore(
  dir: string,
  options: { staleTempMs?: number; tempTag?: string } = {},
): OpendataFileStore & { blobPath(sha256: string): string } {
  const staleTempMs = options.staleTempMs ?? 3_600_000;
  // A writer's tag in its temporary names lets whoever started it remove them if it dies (export worker).
  const tempName = () =>
    `${TEMP}${options.tempTag ? `${options.tempTag}-` : ''}${randomBytes(8).toString('hex')}`;
  const blobs = join(dir, 'blobs');
  let ready: Promise<void> | undefined;
  const prepare = () =>
    (ready ??= (async () => {
      await mkdir(blobs, { recursive: true });
      for (const folder of [dir, blobs]) {
        for (const name of await readdir(folder)) {
          if (!name.startsWith(TEMP)) continue;
          const path = join(folder, name);
          const modified = await stat(path).then(
            (s) => s.mtimeMs,
            () => undefined,
          );
          if (modified !== undefined && Date.now() - modified > staleTempMs) await rm(path, { force: true });
        }
      }
    })());

  async function writeAtomically(path: string, folder: string, text: string): Promise<void> {
    const temp = join(folder, tempName());
    await writeFile(temp, text);
    const handle = await open(temp, 'r+');
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  }

  async function describe(name: string): Promise<PublishedFile | null> {
    try {
      return JSON.parse(await readFile(join(dir, name + DESCRIPTION), 'utf8')) as PublishedFile;
    } catch {
      return null;
    }
  }

  /**
   * The catalogue as last read, with the folder's modification time then: a publication by this process
   * clears it, and one by another process (a CLI export, a replica on a shared folder) renames its
   * description into DIR, which changes that time.
   */
  let catalogue: { mtimeMs: number; files: PublishedFile[] } | undefined;

  return {
    blobPath: (sha256) => join(blobs, sha256),

    async publish(entry, content, countRows) {
      if (!NAME.test(entry.name)) throw new Error(`not a file name: ${entry.name}`);
      await prepare();
      const temp = join(blobs, tempName());
      const out = createWriteStream(temp);
      const hash = createHash('sha256');
      let bytes = 0;
      try {
        for await (const chunk of content) {
          const buffer = Buffer.from(chunk, 'utf8');
          hash.update(buffer);
          bytes += buffer.length;
          if (!out.write(buffer)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'finish');
        const handle = await open(temp, 'r+');
        await handle.sync();
        await handle.close();
      } catch (error) {
        // The stream opens its file asynchronously: wait until it is closed, or the file could appear
        // after it was removed (a temporary file left behind).
        if (!out.closed) {
          const closed = once(out, 'close');
          out.destroy();
          await closed;
        }
        await rm(temp, { force: true });
        throw error;
      }
      const sha256 = hash.digest('hex');
      await rename(temp, join(blobs, sha256));
      const file: PublishedFile = { ...entry, bytes, sha256, rows: countRows(), licence: 'CC-BY-4.0' };
      await writeAtomically(join(dir, entry.name + DESCRIPTION), dir, `${JSON.stringify(file, null, 2)}\n`);
      catalogue = undefined;
      return file;
    },

    async list() {
      await prepare();
      const { mtimeMs } = await stat(dir);
      // A change within the file system's timestamp granularity of the last one would keep the same
      // time: a folder changed in the last second is read again.
      if (catalogue?.mtimeMs === mtimeMs && Date.now() - mtimeMs > 1000) return [...catalogue.files];
      const names = (await readdir(dir)).filter((n) => n.endsWith(DESCRIPTION) && !n.startsWith('.'));
      const files: PublishedFile[] = [];
      for (const name of names.sort()) {
        const file = await describe(name.slice(0, -DESCRIPTION.length));
        if (file) files.push(file);
      }
      catalogue = { mtimeMs, files };
      return [...files];
    },

    async find(name) {
      if (!NAME.test(name)) return null;
      const file = await describe(name);
      if (!file) return null;
      const path = join(blobs, file.sha256);
      try {
        await stat(path);
      } catch {
        return null;
      }
      return { file, open: (): ReadStream => createReadStream(path) };
    },
  };
}
