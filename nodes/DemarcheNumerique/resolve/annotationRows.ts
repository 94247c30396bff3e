import type { IDataObject } from 'n8n-workflow';

import { InvalidValueError, isBlank } from '../output/values';
import type { AnnotationEntry, AnnotationResult, ConversionOptions, PlannedAnnotation } from './annotations';
import { convertAnnotationValue } from './annotations';
import { isUnset, mappedValue } from './columns';
import type { ChampDescriptor } from './descriptors';
import { findDescriptor } from './descriptors';

/** The rows to add to one repetition annotation and what to write in each. */
export interface PlannedRows {
	descriptor: ChampDescriptor;
	/**
	 * Per row, its fields' writes; `input.id` is the field's descriptor ID until the row exists
	 * (rowInputs puts the ID of the field in the new row).
	 */
	rows: PlannedAnnotation[][];
}

/** A repetition's value: a number of empty rows to add, or rows (JSON array of objects). */
function rowsOf(descriptor: ChampDescriptor, value: unknown): number | unknown[] {
	let parsed = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (/^\d+$/.test(text)) return Number(text);
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = undefined;
		}
	}
	if (typeof parsed === 'number' && Number.isInteger(parsed)) return parsed;
	if (Array.isArray(parsed)) return parsed;
	throw new InvalidValueError(
		`"${descriptor.label}" takes its rows as a JSON array of objects keyed by the row's field labels (e.g. [{"${descriptor.champDescriptors?.[0]?.label ?? 'Field'}": "…"}]), or a number of empty rows to add`,
	);
}

/** Plans the writes of one row, collecting problems (`"Contrôles" row 2: …`). */
function planRow(
	repetition: ChampDescriptor,
	row: unknown,
	index: number,
	options: ConversionOptions,
	problems: string[],
): PlannedAnnotation[] {
	const where = `"${repetition.label}" row ${index + 1}`;
	if (!row || typeof row !== 'object' || Array.isArray(row)) {
		problems.push(`${where}: a row is an object keyed by the row's field labels`);
		return [];
	}
	const children = repetition.champDescriptors ?? [];
	const planned: PlannedAnnotation[] = [];
	for (const [key, raw] of Object.entries(row as IDataObject)) {
		if (isUnset(raw) || isBlank(raw)) continue;
		let child: ChampDescriptor;
		try {
			child = findDescriptor(children, key);
		} catch (error) {
			problems.push(`${where}: ${(error as Error).message}`);
			continue;
		}
		if (child.__typename === 'PieceJustificativeChampDescriptor') {
			problems.push(`${where}: "${child.label}" is a file field, which the node cannot write inside a row`);
			continue;
		}
		try {
			const value = convertAnnotationValue(child, mappedValue(raw), options);
			planned.push({ descriptor: { ...child, label: `${repetition.label} row ${index + 1}: ${child.label}` }, input: { id: child.id, value } });
		} catch (error) {
			problems.push(`${where}: ${(error as Error).message}`);
		}
	}
	return planned;
}

/**
 * The entries of the resource mapper's columns (keyed by annotation ID), the rows to fill, and the
 * problems found in the rows and repetition values (the caller adds the other columns' and fails
 * with all of them: nothing is sent then). Empty columns are left out.
 */
export function mappedEntries(
	annotations: ChampDescriptor[],
	mapped: IDataObject,
	options: ConversionOptions,
): { entries: AnnotationEntry[]; rows: PlannedRows[]; problems: string[] } {
	const entries: AnnotationEntry[] = [];
	const rows: PlannedRows[] = [];
	const problems: string[] = [];
	for (const [id, raw] of Object.entries(mapped)) {
		if (isUnset(raw)) continue;
		const descriptor = annotations.find((d) => d.id === id);
		if (!descriptor) {
			problems.push(
				`The column "${id}" is no longer an annotation of the démarche (the form changed): refresh the columns`,
			);
			continue;
		}
		const value = mappedValue(raw);
		if (descriptor.__typename !== 'RepetitionChampDescriptor') {
			entries.push({ annotation: id, value });
			continue;
		}
		let given: number | unknown[];
		try {
			given = rowsOf(descriptor, value);
		} catch (error) {
			problems.push((error as Error).message);
			continue;
		}
		if (typeof given === 'number') {
			entries.push({ annotation: id, value: given });
			continue;
		}
		if (!given.length) continue;
		entries.push({ annotation: id, value: given.length });
		rows.push({ descriptor, rows: given.map((row, index) => planRow(descriptor, row, index, options, problems)) });
	}
	if (!entries.length && !problems.length) throw new InvalidValueError('No annotation to write: fill at least one column');
	return { entries, rows, problems };
}

interface ServedRow {
	id?: string;
	champs?: Array<{ id: string; champDescriptorId?: string }>;
}

/**
 * The writes of the rows just added: each repetition's last rows, as the platform returned the
 * repetition (rows are appended), with the IDs of their fields. A field the platform did not return
 * is a failure of its own (never dropped silently).
 */
export function rowInputs(
	added: PlannedRows[],
	saved: IDataObject[],
): { fills: PlannedAnnotation[]; missing: AnnotationResult[] } {
	const fills: PlannedAnnotation[] = [];
	const missing: AnnotationResult[] = [];
	for (const planned of added) {
		const champ = saved.find((a) => a.champDescriptorId === planned.descriptor.id || a.id === planned.descriptor.id);
		const served = ((champ?.rows ?? []) as ServedRow[]).slice(-planned.rows.length);
		planned.rows.forEach((writes, index) => {
			const row = served.length === planned.rows.length ? served[index] : undefined;
			for (const write of writes) {
				const field = row?.champs?.find((c) => c.champDescriptorId === write.input.id);
				if (field) fills.push({ ...write, input: { id: field.id, value: write.input.value } });
				else {
					missing.push({
						annotation: write.descriptor.label,
						id: write.input.id,
						error: 'the platform did not return this row\'s field after adding the row',
					});
				}
			}
		});
	}
	return { fills, missing };
}
