import type { IDataObject } from 'n8n-workflow';

import { parseBoolean, parseDecimal, parseInteger } from '../../output/values';
import { userDate, userDateTime } from '../../resolve/dates';
import type { ChampDescriptor } from '../../resolve/descriptors';
import { findDescriptor } from '../../resolve/descriptors';
import { isUnset, mappedValue } from '../../resolve/columns';

export interface PrefillEntry {
	field: string;
	value: unknown;
}

const IDENTITY_KEYS = new Set(['identite_prenom', 'identite_nom', 'identite_genre']);

/** The converted value, or the value as given when it does not convert (the platform then skips it). */
function orAsGiven(convert: (value: unknown) => unknown, value: unknown): unknown {
	try {
		return convert(value);
	} catch {
		return value;
	}
}

/** Civilities as users write them → what the platform keeps ("M." or "Mme"; it drops "M"). */
const CIVILITES: Record<string, string> = { m: 'M.', 'm.': 'M.', mr: 'M.', monsieur: 'M.', mme: 'Mme', madame: 'Mme' };

/** `identite_genre` as the platform keeps it: "M." or "Mme"; anything else as given. */
export function prefillCivilite(value: unknown): unknown {
	return CIVILITES[String(value ?? '').trim().toLowerCase()] ?? value;
}

/**
 * Values as the prefill endpoint reads them: dates as YYYY-MM-DD, date-times with an explicit
 * offset (a value without one is read in the workflow's time zone: the platform would read it in
 * Paris time), numbers as numbers, lists as arrays, yes/no as the strings "true"/"false" (JSON
 * booleans do not work), repetitions as arrays of row objects.
 */
function prefillValue(descriptor: ChampDescriptor | undefined, value: unknown, timeZone: string): unknown {
	const type = descriptor?.__typename;
	if (type === 'DateChampDescriptor') return orAsGiven((v) => userDate(v, timeZone), value);
	if (type === 'DatetimeChampDescriptor') return orAsGiven((v) => userDateTime(v, timeZone), value);
	if (type === 'CiviliteChampDescriptor') return prefillCivilite(value);
	if (type === 'IntegerNumberChampDescriptor') return orAsGiven((v) => String(parseInteger(v)), value);
	if (type === 'DecimalNumberChampDescriptor') return orAsGiven(parseDecimal, value);
	if (type === 'CheckboxChampDescriptor' || type === 'YesNoChampDescriptor') {
		return orAsGiven((v) => String(parseBoolean(v)), value);
	}
	if (type === 'MultipleDropDownListChampDescriptor' && typeof value === 'string') {
		const text = value.trim();
		if (text.startsWith('[')) {
			try {
				return JSON.parse(text);
			} catch {
				return [text];
			}
		}
		return text ? text.split(/\s*[,;\n]\s*/) : [];
	}
	if (type === 'RepetitionChampDescriptor') {
		let rows = value;
		if (typeof value === 'string' && value.trim().startsWith('[')) {
			try {
				rows = JSON.parse(value);
			} catch {
				return value;
			}
		}
		return Array.isArray(rows) ? rows.map((row) => prefillRow(descriptor as ChampDescriptor, row, timeZone)) : value;
	}
	return value;
}

/**
 * One row of a repetition: its fields named by label or champ ID become `champ_<ID>` keys with
 * converted values (keys already written `champ_…` are kept as they are).
 */
function prefillRow(repetition: ChampDescriptor, row: unknown, timeZone: string): unknown {
	if (!row || typeof row !== 'object' || Array.isArray(row)) return row;
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(row as IDataObject)) {
		if (key.startsWith('champ_')) {
			out[key] = value;
			continue;
		}
		const child = findDescriptor(repetition.champDescriptors ?? [], key);
		out[`champ_${child.id}`] = prefillValue(child, mappedValue(value), timeZone) as IDataObject[keyof IDataObject];
	}
	return out;
}

/**
 * The prefill body `{ "champ_<champ ID>": value, … }`: each field named by label or champ ID (a key
 * already written `champ_…` or `identite_…` is kept as is). Returns the body and the labels that
 * matched nothing, so the caller can fail with the list.
 */
export function buildPrefillBody(
	champs: ChampDescriptor[] | undefined,
	entries: PrefillEntry[],
	timeZone: string,
): IDataObject {
	const body: IDataObject = {};
	for (const { field, value } of entries) {
		const name = String(field ?? '').trim();
		if (!name) continue;
		if (name.startsWith('champ_') || IDENTITY_KEYS.has(name)) {
			body[name] = (name === 'identite_genre' ? prefillCivilite(value) : value) as IDataObject[keyof IDataObject];
			continue;
		}
		const descriptor = findDescriptor(champs ?? [], name);
		body[`champ_${descriptor.id}`] = prefillValue(descriptor, value, timeZone) as IDataObject[keyof IDataObject];
	}
	return body;
}

/** Whether any entry needs the démarche's descriptors (a label rather than an explicit key). */
export function needsDescriptors(entries: PrefillEntry[]): boolean {
	return entries.some(({ field }) => {
		const name = String(field ?? '').trim();
		return name !== '' && !name.startsWith('champ_') && !IDENTITY_KEYS.has(name);
	});
}

/**
 * Version 2: the resource mapper's columns (keyed by champ ID) as prefill entries; empty columns
 * are left out.
 */
export function mappedPrefillEntries(mapped: IDataObject | null | undefined): PrefillEntry[] {
	return Object.entries(mapped ?? {})
		.filter(([, value]) => !isUnset(value))
		.map(([field, value]) => ({ field, value: mappedValue(value) }));
}
