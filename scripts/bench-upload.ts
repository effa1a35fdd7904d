import {execFile, spawn} from 'node:child_process';
import {randomFillSync} from 'node:crypto';
import {createWriteStream} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import {connectSsh} from '../source/remote/ssh-transport.js';
import {startSshd, sshdUnavailableReason} from '../source/remote/testing/sshd.js';
import {reportMetrics, reportSkipped} from './bench-metrics.js';

/**
 * Upload benchmark (issue 3, "Performance"), against a loopback OpenSSH sshd:
 *  1. throughput of one 100 MB file through the Transport vs OpenSSH `scp`
 *     (same key, same sshd; target ≥ 0.8× scp);
 *  2. peak RSS of a process uploading 330 MB of binaries (120+110+60+40 MB) to three
 *     hosts (three connections, one per host, like the runner; target < 200 MB),
 *     measured in a child process so nothing else in this one counts.
 * Run: `npm run build && node dist/scripts/bench-upload.js` (or through `npm run bench`).
 */

const run = promisify(execFile);
const MB = 1024 * 1024;

export interface UploadBenchResult {
	fileMb: number;
	transportMbPerSecond: number;
	scpMbPerSecond: number;
	ratio: number;
	rssUploadMb: number;
	rssBaselineMb: number;
	rssTotalUploadedMb: number;
}

async function randomFile(path: string, sizeMb: number): Promise<void> {
	const stream = createWriteStream(path);
	const chunk = Buffer.allocUnsafe(4 * MB);
	for (let written = 0; written < sizeMb; written += 4) {
		randomFillSync(chunk);
		if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
	}
	await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface ChildPlan {
	port: number;
	clientKey: string;
	knownHosts: string;
	files: string[];
	targetDirs: string[];
}

/** The child: three connections, each uploading every file, like the binaries step on three nodes. */
async function rssChild(plan: ChildPlan): Promise<void> {
	const vm = async (field: string) => {
		const status = await readFile('/proc/self/status', 'utf8');
		return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
	};
	const baseline = await vm('VmRSS');
	await Promise.all(
		plan.targetDirs.map(async (dir, index) => {
			const transport = await connectSsh(
				{node: `master${index + 1}`, host: '127.0.0.1', port: plan.port, user: 'root', identityFile: plan.clientKey},
				{hostKeys: {knownHostsFile: plan.knownHosts}, sshConfig: {file: false}, agentSocket: false},
			);
			try {
				for (const file of plan.files) {
					await transport.upload({localPath: file}, join(dir, file.split('/').pop()!), {mode: 0o755});
				}
			} finally {
				await transport.close();
			}
		}),
	);
	const peak = Math.max(await vm('VmHWM'), process.resourceUsage().maxRSS / 1024);
	process.stdout.write(JSON.stringify({baselineMb: baseline, peakMb: peak}) + '\n');
}

export async function runUploadBench(log: (line: string) => void = console.log): Promise<UploadBenchResult | undefined> {
	const unavailable = sshdUnavailableReason();
	if (unavailable) {
		log(`upload benchmark skipped: ${unavailable}`);
		reportSkipped('upload', unavailable);
		return undefined;
	}
	const work = await mkdtemp(join(tmpdir(), 'k8s-master-setup-bench-'));
	const sshd = await startSshd();
	try {
		const knownHosts = join(work, 'known_hosts');
		await writeFile(knownHosts, sshd.knownHostsLine() + '\n');
		const fileMb = 100;
		const source = join(work, 'payload-100mb');
		await randomFile(source, fileMb);
		const remoteDir = join(work, 'remote');
		await mkdir(remoteDir);

		// 1. Throughput: alternate the two so background load hits both alike; take medians.
		const transport = await connectSsh(
			{node: 'bench', host: sshd.host, port: sshd.port, user: 'root', identityFile: sshd.clientKey},
			{hostKeys: {knownHostsFile: knownHosts}, sshConfig: {file: false}, agentSocket: false},
		);
		const transportRates: number[] = [];
		const scpRates: number[] = [];
		try {
			await transport.upload({content: Buffer.from('warm-up')}, join(remoteDir, 'warm'), {mode: 0o644});
			for (let round = 0; round < 3; round++) {
				let started = performance.now();
				await transport.upload({localPath: source}, join(remoteDir, 'via-transport'), {mode: 0o755});
				transportRates.push(fileMb / ((performance.now() - started) / 1000));

				started = performance.now();
				// OpenSSH 9 scp speaks SFTP by default: the same server-side path as the transport.
				await run('scp', [
					'-q', '-B', '-F', '/dev/null', '-i', sshd.clientKey, '-P', String(sshd.port),
					'-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'IdentitiesOnly=yes',
					source, `root@127.0.0.1:${join(remoteDir, 'via-scp')}`,
				]);
				scpRates.push(fileMb / ((performance.now() - started) / 1000));
				await rm(join(remoteDir, 'via-transport'), {force: true});
				await rm(join(remoteDir, 'via-scp'), {force: true});
			}
		} finally {
			await transport.close();
		}
		const transportMbPerSecond = median(transportRates);
		const scpMbPerSecond = median(scpRates);
		const ratio = transportMbPerSecond / scpMbPerSecond;
		await rm(source, {force: true});

		// 2. Peak RSS in a clean child process.
		const sizes = [120, 110, 60, 40];
		const files = sizes.map((_, index) => join(work, ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'][index]!));
		for (const [index, file] of files.entries()) await randomFile(file, sizes[index]!);
		const targetDirs = ['master1', 'master2', 'master3'].map((name) => join(remoteDir, name, 'opt', 'k8s', 'bin'));
		const plan: ChildPlan = {port: sshd.port, clientKey: sshd.clientKey, knownHosts, files, targetDirs};
		const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--rss-child', JSON.stringify(plan)], {stdio: ['ignore', 'pipe', 'inherit']});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
		if (code !== 0) throw new Error(`RSS child failed with exit ${code}: ${output}`);
		const {baselineMb, peakMb} = JSON.parse(output.trim().split('\n').pop()!) as {baselineMb: number; peakMb: number};
		const totalUploaded = sizes.reduce((a, b) => a + b, 0) * targetDirs.length;

		const result: UploadBenchResult = {
			fileMb,
			transportMbPerSecond,
			scpMbPerSecond,
			ratio,
			rssUploadMb: peakMb,
			rssBaselineMb: baselineMb,
			rssTotalUploadedMb: totalUploaded,
		};
		const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
		log(`upload ${fileMb} MB over loopback sshd (median of 3):`);
		log(`  transport (ssh2 SFTP)  ${transportMbPerSecond.toFixed(1)} MB/s   [${transportRates.map((r) => r.toFixed(0)).join(', ')}]`);
		log(`  OpenSSH scp            ${scpMbPerSecond.toFixed(1)} MB/s   [${scpRates.map((r) => r.toFixed(0)).join(', ')}]`);
		log(`  ratio                  ${ratio.toFixed(2)}× scp (target ≥ 0.80) ${verdict(ratio >= 0.8)}`);
		log(`peak RSS uploading ${sizes.reduce((a, b) => a + b, 0)} MB of binaries to 3 hosts (${totalUploaded} MB sent):`);
		log(`  ${peakMb.toFixed(1)} MB (process at start: ${baselineMb.toFixed(1)} MB; target < 200) ${verdict(peakMb < 200)}`);
		reportMetrics(
			{name: `upload throughput vs OpenSSH scp (${fileMb} MB, loopback sshd)`, value: ratio, unit: '× scp', target: '>= 0.80 ×', pass: ratio >= 0.8, note: `${transportMbPerSecond.toFixed(1)} vs ${scpMbPerSecond.toFixed(1)} MB/s, median of 3`},
			{name: `peak RSS uploading ${sizes.reduce((a, b) => a + b, 0)} MB of binaries to 3 hosts`, value: peakMb, unit: 'MB', target: '< 200 MB', pass: peakMb < 200},
		);
		return result;
	} finally {
		await sshd.stop();
		await rm(work, {recursive: true, force: true});
	}
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
	const childIndex = process.argv.indexOf('--rss-child');
	const task = childIndex >= 0 ? rssChild(JSON.parse(process.argv[childIndex + 1]!) as ChildPlan) : runUploadBench();
	task.then(
		() => process.exit(0),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}
