/**
 * State changes of dossiers, read from their `traitements` (the platform writes one per state
 * change, deposit included), so that two changes between polls are two events, each with its
 * previous state. The trigger remembers, per dossier, how many traitements it has accounted for,
 * in a compact string (see encodeCounts).
 */
import type { DossierState } from '../graphql/queries';

/** A traitement as the dossier documents select it. */
export interface RawTraitement {
	event?: string | null;
	state?: string | null;
	dateTraitement?: string | null;
}

export interface Transition {
	previousState: string;
	state: string;
	date: string | null;
	event: string | null;
}

/** The state a traitement event leads to, for servers that drop the deprecated `state`. */
const STATE_OF_EVENT: Record<string, DossierState> = {
	depose: 'en_construction',
	depose_correction_usager: 'en_construction',
	depose_correction_instructeur: 'en_construction',
	repasse_en_construction: 'en_construction',
	passe_en_instruction: 'en_instruction',
	passe_en_instruction_automatiquement: 'en_instruction',
	repasse_en_instruction: 'en_instruction',
	accepte: 'accepte',
	accepte_automatiquement: 'accepte',
	refuse: 'refuse',
	refuse_automatiquement: 'refuse',
	classe_sans_suite: 'sans_suite',
};

export function stateOfTraitement(traitement: RawTraitement): string | undefined {
	return traitement.state ?? (traitement.event ? STATE_OF_EVENT[traitement.event] : undefined);
}

/** Traitements in the order they happened (stable for equal dates). */
export function orderedTraitements(traitements: RawTraitement[] | null | undefined): RawTraitement[] {
	return (traitements ?? [])
		.map((traitement, index) => ({ traitement, index, time: Date.parse(traitement.dateTraitement ?? '') }))
		.sort((a, b) => (a.time || 0) - (b.time || 0) || a.index - b.index)
		.map(({ traitement }) => traitement);
}

/**
 * The state changes recorded from traitement `from` on (the deposit itself is not a state change,
 * and a traitement that leaves the state unchanged, such as a correction, is not either).
 */
export function transitionsFrom(ordered: RawTraitement[], from: number): Transition[] {
	const transitions: Transition[] = [];
	for (let i = Math.max(from, 1); i < ordered.length; i++) {
		const previousState = stateOfTraitement(ordered[i - 1]);
		const state = stateOfTraitement(ordered[i]);
		if (!previousState || !state || previousState === state) continue;
		transitions.push({
			previousState,
			state,
			date: ordered[i].dateTraitement ?? null,
			event: ordered[i].event ?? null,
		});
	}
	return transitions;
}

/**
 * How many traitements a dossier seen for the first time has that predate the sync's origin
 * (those are history, not events).
 */
export function traitementsBefore(ordered: RawTraitement[], originMs: number | null): number {
	if (originMs === null) return 0;
	let count = 0;
	for (const traitement of ordered) {
		const time = Date.parse(traitement.dateTraitement ?? '');
		if (Number.isFinite(time) && time < originMs) count++;
		else break;
	}
	return count;
}

// --- compact map: dossier number → traitements accounted for ---------------------------------
//
// Sorted numbers, each written as the base-36 difference from the previous one (digits and
// lowercase letters) followed by its count in base 26 written with uppercase letters (A = 0). The
// letters separate the entries, so no delimiter is needed: 2 to 3.5 bytes per dossier.
//
// Kept because the figure needs it. "State Changed" remembers every dossier it has seen, and n8n
// stores the trigger's static data as JSON in the workflow's row of its database, rewritten after
// each poll that changes it. Measured for 100 000 dossiers with 1 to 3 traitements each:
//                                         this encoding   plain JSON {"n": c}   JSON deltas [d, c, …]
//   consecutive numbers                        200 kB            992 kB              400 kB
//   8-digit numbers, mean gap 80               277 kB          1 300 kB              532 kB
//   8-digit numbers, mean gap 1 000            334 kB          1 320 kB              643 kB
// (On a large instance, numbers have 8 digits, spread over one sequence that all démarches share.)

function toLetters(value: number): string {
	let text = '';
	let rest = Math.max(0, Math.floor(value));
	do {
		text = String.fromCharCode(65 + (rest % 26)) + text;
		rest = Math.floor(rest / 26);
	} while (rest > 0);
	return text;
}

function fromLetters(text: string): number {
	let value = 0;
	for (const char of text) value = value * 26 + (char.charCodeAt(0) - 65);
	return value;
}

export function encodeCounts(counts: Map<number, number>): string {
	const numbers = [...counts.keys()].sort((a, b) => a - b);
	let previous = 0;
	let text = '';
	for (const number of numbers) {
		text += (number - previous).toString(36) + toLetters(counts.get(number) ?? 0);
		previous = number;
	}
	return text;
}

export function decodeCounts(text: string | null | undefined): Map<number, number> {
	const counts = new Map<number, number>();
	if (!text) return counts;
	let number = 0;
	for (const match of text.matchAll(/([0-9a-z]+)([A-Z]+)/g)) {
		number += parseInt(match[1], 36);
		counts.set(number, fromLetters(match[2]));
	}
	return counts;
}
