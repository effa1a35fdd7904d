import {defaultStateDir} from '../../state/state-dir.js';
import {formatBytes, progressReporter} from '../../snapshot/progress-line.js';
import {etcdClientCredentials, takeEtcdSnapshot} from '../../snapshot/take.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {handleStopSignals} from '../shared/stop-signals.js';

export interface SnapshotOptions {
	profileFile?: string;
	profile?: string;
	stateDir?: string;
}

export async function runSnapshot(options: SnapshotOptions): Promise<void> {
	const profile = await loadProfileFromOptions(options);
	const stateDir = options.stateDir ?? defaultStateDir(profile.name);
	const credentials = etcdClientCredentials(profile, stateDir);
	const stop = handleStopSignals({stopping: 'stopping the snapshot (the partial file is removed)'});
	const progress = progressReporter({write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY), now: () => performance.now()});
	try {
		const record = await takeEtcdSnapshot({profile, stateDir, credentials, signal: stop.signal, onProgress: (endpoint, p) => progress.update(endpoint, p)});
		progress.done();
		const keys = record.encryptionKeys.map((k) => `${k.provider}:${k.name}`).join(', ') || 'none kept in the state directory';
		process.stdout.write(
			[
				`etcd snapshot: ${record.path}`,
				`  revision ${record.revision}, ${formatBytes(record.size)}, sha256 ${record.sha256}`,
				`  from ${record.endpoint} (etcd ${record.etcdRelease}) at ${record.takenAt}`,
				`  Secrets in it need the encryption key(s): ${keys} (kept in ${stateDir})`,
				`  sidecar: ${record.sidecarPath}`,
				'',
			].join('\n'),
		);
	} finally {
		progress.done();
		stop.dispose();
	}
}
