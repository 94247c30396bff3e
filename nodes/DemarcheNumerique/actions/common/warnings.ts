/** Non-fatal remarks of a mutation payload, as plain strings, only when there are some. */
export function warningsOf(payload: { warnings?: Array<{ message: string }> | null }): { warnings?: string[] } {
	const warnings = (payload.warnings ?? []).map((warning) => warning.message);
	return warnings.length ? { warnings } : {};
}
