import {sh, type ShellCommand} from '../remote/shell.js';

/**
 * Generations: before a rolling change replaces a node's files, the node keeps the
 * files about to change (and notes those that did not exist) as a generation, so a node
 * that fails its gate can be put back as it was. Files are hard-linked where they share a
 * filesystem with the generation (free: every upload renames a new inode into place, so
 * the link keeps the old content), copied otherwise. Root-only (0700): a generation holds
 * keys. The two newest are kept on the node.
 *
 *   /var/lib/k8s-master-setup/generations/g-20261201T140512Z-123/
 *     manifest     `present /etc/kubernetes/cert/ca.pem` / `absent /path` lines
 *     files/…      the kept files under their own absolute paths
 *     restore.sh   puts them back (the tool runs it; so can a person, see restoreCommand)
 */
export const GENERATIONS_DIR = '/var/lib/k8s-master-setup/generations';
export const GENERATIONS_KEPT = 2;

export interface Generation {
	id: string;
	dir: string;
}

/** Sortable by time: g-YYYYMMDDTHHMMSSZ-mmm. */
export function generationId(now: Date): string {
	const iso = now.toISOString(); // 2026-12-01T14:05:12.123Z
	return `g-${iso.slice(0, 19).replace(/[-:]/g, '')}Z-${iso.slice(20, 23)}`;
}

/**
 * Puts back what the manifest lists: each kept file through a temporary name and a
 * rename (never half-written), each file that was absent removed. Paths come from the
 * profile's validated paths (no newline, safe characters) and are read whole per line.
 */
const RESTORE_SCRIPT = `#!/bin/sh
# Written by k8s-master-setup: puts back the files this generation kept.
# Afterwards: systemctl daemon-reload, then restart the services that had restarted.
set -eu
gen=$(cd -- "$(dirname -- "$0")" && pwd)
while IFS= read -r line; do
  p=\${line#* }
  case $line in
    present\\ *) cp -p -- "$gen/files$p" "$p.k8s-restore" && mv -f -- "$p.k8s-restore" "$p" ;;
    absent\\ *) rm -f -- "$p" ;;
  esac
done < "$gen/manifest"
`;

/** Keeps `paths` as generation `id`, then removes all but the newest GENERATIONS_KEPT. */
export function keepScript(id: string, paths: readonly string[], root = GENERATIONS_DIR): ShellCommand {
	const dir = `${root}/${id}`;
	return sh`set -eu; umask 077; gen=${dir}; mkdir -p -- "$gen/files"; : > "$gen/manifest.tmp"
for p in ${paths}; do
  if [ -e "$p" ]; then
    mkdir -p -- "$gen/files$(dirname -- "$p")"
    ln -f -- "$p" "$gen/files$p" 2>/dev/null || cp -p -- "$p" "$gen/files$p"
    printf 'present %s\\n' "$p" >> "$gen/manifest.tmp"
  else
    printf 'absent %s\\n' "$p" >> "$gen/manifest.tmp"
  fi
done
printf '%s' ${RESTORE_SCRIPT} > "$gen/restore.sh"; chmod 700 "$gen/restore.sh"
mv -f "$gen/manifest.tmp" "$gen/manifest"
cd ${root}; n=0; for old in $(ls -1d g-* | sort -r); do n=$((n + 1)); [ "$n" -le ${GENERATIONS_KEPT} ] || rm -rf -- "$old"; done`;
}

export function restoreScript(generation: Generation): ShellCommand {
	return sh`sh ${`${generation.dir}/restore.sh`}`;
}

/** What a person runs on the node when the tool could not put it back itself. */
export function restoreCommand(generation: Generation, services: readonly string[], stopped: readonly string[] = []): string {
	const stop = stopped.length > 0 ? `sudo systemctl disable --now ${stopped.join(' ')} && ` : '';
	const restart = services.length > 0 ? ` && sudo systemctl restart ${services.join(' ')}` : '';
	return `${stop}sudo sh ${generation.dir}/restore.sh && sudo systemctl daemon-reload${restart}`;
}
