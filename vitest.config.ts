import {defineConfig} from 'vitest/config';

// Four projects, cheapest first: unit (pure core), ui (ink-testing-library),
// integration (real OpenSSH sshd on loopback), e2e (the lab: real nodes, etcd, Kubernetes).
export default defineConfig({
	test: {
		projects: [
			{test: {name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000}},
			{test: {name: 'ui', include: ['test/ui/**/*.test.{ts,tsx}'], testTimeout: 30_000}},
			{test: {name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false}},
			{test: {name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 1_800_000, fileParallelism: false}},
		],
	},
});
