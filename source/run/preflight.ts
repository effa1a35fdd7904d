import type {Profile, ProfileNode} from '../profile/schema.js';
import {apiserverEtcdEndpoints} from '../render/etcd-endpoints.js';
import {sh, shJoin, type ShellCommand} from '../remote/shell.js';
import type {Transport} from '../remote/transport.js';
import {CONTROL_PLANE, SERVICES, type ServiceName} from '../cluster/services.js';

/**
 * Preflight: read-only facts gathered from a node in one command, then judged by a pure
 * function. A problem found here stops the run before anything is written on any node.
 */
export interface PreflightFacts {
	systemd: boolean;
	arch: string;
	/** Lease holder identities start with it. */
	hostname: string;
	epochSeconds: number;
	/** KiB free where the binaries go. */
	availableKib: number;
	/** Listening TCP ports and the process names holding them. */
	listeners: Array<{port: number; process: string}>;
	/** etcd endpoint → reachable from the node. */
	etcd: Map<string, boolean>;
	/** The release each component runs (`--version` of the running process's executable, else of the binary in paths.binDir), for the version skew check. */
	versions: Map<ServiceName, string | undefined>;
}

export interface PreflightExpectations {
	arch: string;
	binariesBytes: number;
	localEpochSeconds: number;
	maxClockSkewSeconds: number;
}

export interface PreflightProblem {
	check: string;
	message: string;
	hint: string;
}

/** The ports the control plane listens on, and whose they are. */
const OWN_PORTS = SERVICES.map((owner) => ({port: CONTROL_PLANE[owner].port, owner}));

/** The node's facts, and whether each etcd endpoint its apiserver will use (etcd-endpoints.ts) answers from it. */
export function preflightScript(profile: Profile, node: ProfileNode): ShellCommand {
	// etcd reachable = a TCP connection to its client port opens. bash's /dev/tcp does only
	// that; curl (when there is no bash) also loads the CA bundle and shakes hands with TLS,
	// about 100 ms of CPU per endpoint on a lab node (exit 6/7/28 = cannot resolve/connect/
	// time out; any TLS error means the port answered). The endpoints are probed side by side.
	// bash gets host and port as its own arguments, never inside its script text.
	const probes = apiserverEtcdEndpoints(profile, node).map((url) => {
		const {hostname, port} = new URL(url);
		return sh`(if reach ${hostname.replace(/^\[|\]$/g, '')} ${port || '2379'}; then echo etcd ${url} yes; else echo etcd ${url} no; fi) &`;
	});
	return shJoin(
		[
			sh`if [ -d /run/systemd/system ]; then echo "systemd yes"; else echo "systemd no"; fi`,
			sh`echo "arch $(uname -m)"`,
			sh`echo "hostname $(hostname)"`,
			sh`echo "epoch $(date +%s)"`,
			sh`d=${profile.paths.binDir}; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; echo "avail $(df -Pk -- "$d" | awk 'NR==2 {print $4}')"`,
			sh`if command -v bash >/dev/null && command -v timeout >/dev/null; then reach() { timeout 3 bash -c '</dev/tcp/$1/$2' reach "$1" "$2" 2>/dev/null; }`,
			sh`else reach() { case $1 in *:*) h="[$1]";; *) h=$1;; esac; curl -s -o /dev/null --connect-timeout 3 "https://$h:$2/"; case $? in 6|7|28) return 1;; esac; }; fi`,
			// The release each component runs: a running service's own executable (/proc/PID/exe
			// still runs the file it started from after an upload renamed a new one into place,
			// as on a node an upgrade was stopped on), else the binary in binDir.
			sh`b=${profile.paths.binDir}; for c in ${SERVICES}; do x="$b/$c"; p=$(systemctl show -p MainPID --value "$c" 2>/dev/null); case $p in ''|0|*[!0-9]*) ;; *) [ -e "/proc/$p/exe" ] && x="/proc/$p/exe";; esac; echo "version $c $("$x" --version 2>/dev/null | awk '{print $2}')"; done`,
			sh`ss -Hltnp 2>/dev/null | awk '{print "listen", $4, $NF}'`,
			// After ss: a probe's one-line echo cannot land inside awk's buffered output.
			...probes,
			sh`wait`,
		],
		'\n',
	);
}

export function parsePreflight(stdout: string): PreflightFacts {
	const facts: PreflightFacts = {systemd: false, arch: '', hostname: '', epochSeconds: 0, availableKib: 0, listeners: [], etcd: new Map(), versions: new Map()};
	for (const line of stdout.split('\n')) {
		const [key, a = '', b = ''] = line.trim().split(/\s+/);
		if (key === 'systemd') facts.systemd = a === 'yes';
		else if (key === 'arch') facts.arch = a;
		else if (key === 'hostname') facts.hostname = a;
		else if (key === 'epoch') facts.epochSeconds = Number(a);
		else if (key === 'avail') facts.availableKib = Number(a);
		else if (key === 'listen') {
			const port = Number(a.slice(a.lastIndexOf(':') + 1));
			const process = /users:\(\("([^"]+)"/.exec(b)?.[1] ?? 'unknown';
			if (Number.isInteger(port)) facts.listeners.push({port, process});
		} else if (key === 'etcd') facts.etcd.set(a, b === 'yes');
		else if (key === 'version' && (SERVICES as readonly string[]).includes(a)) facts.versions.set(a as ServiceName, b || undefined);
	}
	return facts;
}

export function judgePreflight(node: string, facts: PreflightFacts, expect: PreflightExpectations): PreflightProblem[] {
	const problems: PreflightProblem[] = [];
	if (!facts.systemd) {
		problems.push({check: 'systemd', message: `${node} does not run systemd`, hint: 'the control plane runs as systemd services; use a node booted with systemd'});
	}
	if (facts.arch !== expect.arch) {
		problems.push({
			check: 'architecture',
			message: `${node} is ${facts.arch || 'of unknown architecture'} but the binaries are built for ${expect.arch}`,
			hint: `point "binaries" at a kubernetes-server tarball for ${facts.arch}`,
		});
	}
	const skew = Math.abs(facts.epochSeconds - expect.localEpochSeconds);
	if (skew > expect.maxClockSkewSeconds) {
		problems.push({
			check: 'clock',
			message: `${node}'s clock is ${skew}s off this machine's`,
			hint: 'certificates and leader election need synchronised clocks: enable NTP (systemd-timesyncd or chrony) on the node',
		});
	}
	const neededKib = Math.ceil(expect.binariesBytes / 1024) * 2; // the temporary copy and the file it replaces
	if (facts.availableKib < neededKib) {
		problems.push({
			check: 'disk',
			message: `${node} has ${Math.floor(facts.availableKib / 1024)} MiB free for the binaries, needs ${Math.ceil(neededKib / 1024)} MiB`,
			hint: 'free space on the filesystem that holds paths.binDir',
		});
	}
	for (const {port, owner} of OWN_PORTS) {
		const holder = facts.listeners.find((l) => l.port === port);
		// ss truncates process names to 15 characters (kube-controller).
		if (holder && !owner.startsWith(holder.process)) {
			problems.push({
				check: 'ports',
				message: `${node}: port ${port} is held by "${holder.process}", not ${owner}`,
				hint: `stop that program on ${node} (ss -ltnp 'sport = :${port}') or move it to another port`,
			});
		}
	}
	for (const [url, reachable] of facts.etcd) {
		if (!reachable) {
			problems.push({
				check: 'etcd',
				message: `${node} cannot reach etcd at ${url}`,
				hint: 'start etcd there, or fix etcd.endpoints / the firewall between the node and etcd',
			});
		}
	}
	return problems;
}

export async function gatherPreflight(transport: Transport, profile: Profile, node: ProfileNode): Promise<PreflightFacts> {
	const result = await transport.exec(preflightScript(profile, node), {timeoutMs: 20_000});
	return parsePreflight(result.stdout);
}

/** uname -m of the machine an ELF binary is built for, read from its header. */
export function elfArch(header: Buffer): string {
	if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46) return 'not-an-elf-binary';
	const machine = header.readUInt16LE(18);
	const names: Record<number, string> = {62: 'x86_64', 183: 'aarch64', 40: 'armv7l', 21: 'ppc64le', 22: 's390x', 243: 'riscv64'};
	return names[machine] ?? `elf-machine-${machine}`;
}
