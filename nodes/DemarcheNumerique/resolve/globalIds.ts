/**
 * The platform's global IDs: base64 of `<Type>-<key>` (graphql-ruby's UniqueWithinType, e.g.
 * `Dossier-1234` → `RG9zc2llci0xMjM0`). Built locally from a number, so an operation on a known
 * number costs no round trip; decoded to tell an ID from a name or an e-mail.
 */

/** The types whose IDs the nodes build or recognise. */
export type GlobalIdType = 'Dossier' | 'GroupeInstructeur' | 'Instructeur' | 'Label' | 'Champ';

export function globalId(type: GlobalIdType, number: number): string {
	return Buffer.from(`${type}-${number}`, 'utf8').toString('base64');
}

/** The key of a global ID of this type (`Champ-<key>` → key); undefined for anything else. */
export function globalIdKey(value: string, type: GlobalIdType): string | undefined {
	if (!/^[A-Za-z0-9+/]+=*$/.test(value)) return undefined;
	const text = Buffer.from(value, 'base64').toString('utf8');
	return text.startsWith(`${type}-`) ? text.slice(type.length + 1) : undefined;
}

/** Whether a value is the global ID of a record of this type (`Label-12`, `Instructeur-3`…). */
export function isGlobalIdOf(value: string, type: GlobalIdType): boolean {
	return /^\d+$/.test(globalIdKey(value, type) ?? '');
}
