import {defineConfig} from 'vitest/config';

// Four projects, cheapest first: unit (pure core), ui (ink-testing-library),
// integration (real OpenSSH sshd on loopback), e2e (the lab: real nodes, etcd, Kubernetes).
export default defineConfig({
	test: {
		projects: [
			{test: {name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000}},
			// ink renders only the last frame when it thinks it runs in CI (is-in-ci reads CI at
			// import); the UI tests watch frames as a person would, so they run as on a terminal.
			// K8S_TEST_CI keeps the real value for test/require-or-skip.ts (a missing tool fails in CI).
			{test: {name: 'ui', include: ['test/ui/**/*.test.{ts,tsx}'], testTimeout: 30_000, env: {CI: 'false', K8S_TEST_CI: process.env.CI ?? ''}}},
			{test: {name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false}},
			{test: {name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 1_800_000, fileParallelism: false}},
		],
	},
});
