/** The terminal UI's public surface, for the CLI. */
export {runApplyUi, type ApplyUiOptions, type ApplyUiResult, type RunEventSource} from './app-apply.js';
export {Finished, showFinished, nextCommands, type FinishedProps, type ShowFinishedOptions} from './finished.js';
export {createPlainReporter} from './plain-reporter.js';
export {createJsonReporter} from './json-reporter.js';
export {runWizard, type RunWizardOptions} from './wizard/run-wizard.js';
export {Wizard, type WizardProps, type NodeToCheck} from './wizard/wizard.js';
export type {AcceptedHostKey, NodeCheckResult} from './wizard/wizard-state.js';
export {reduceGrid, initialGridState, type GridState, type CellState} from './grid-state.js';
export {colorsEnabled} from './theme.js';
