import type {RunEvent} from '../run/events.js';
import {initialGridState, reduceGrid, type GridState} from './grid-state.js';

/**
 * Holds the grid state outside React: events (up to hundreds a second) are reduced
 * here as they arrive, and the component takes a snapshot at most every flush
 * interval, so React renders at the frame rate, not at the event rate.
 */
export class GridStore {
	private current: GridState;
	private readonly listeners = new Set<() => void>();
	private version = 0;
	ended = false;
	error: unknown = undefined;

	constructor(initial: GridState = initialGridState()) {
		this.current = initial;
	}

	readonly push = (event: RunEvent): void => {
		this.current = reduceGrid(this.current, event);
		this.version++;
		this.emit();
	};

	end(error?: unknown): void {
		this.ended = true;
		this.error = error;
		this.version++;
		this.emit();
	}

	get snapshot(): GridState {
		return this.current;
	}

	get revision(): number {
		return this.version;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(): void {
		for (const l of this.listeners) l();
	}
}
