import type {EventSink, RunEvent} from '../run/events.js';

/** `--json`: every event as one JSON object per line (NDJSON), exactly as emitted (the runner's, a removal's: events.ts). */
export function createJsonReporter(write: (s: string) => void): EventSink {
	return (event: RunEvent) => write(JSON.stringify(event) + '\n');
}
