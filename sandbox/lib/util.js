'use strict';
/**
 * Small shared helpers: global IDs, Paris-time date formatting (as the platform prints them),
 * deterministic pseudo-random numbers, MD5.
 */
const crypto = require('crypto');

/** @param {string} type @param {string|number} id @returns {string} base64("<Type>-<id>") */
function globalId(type, id) {
	return Buffer.from(`${type}-${id}`).toString('base64');
}

/** @param {string} gid @returns {{type: string, id: string} | null} */
function decodeGlobalId(gid) {
	if (typeof gid !== 'string') return null;
	const decoded = Buffer.from(gid, 'base64').toString('utf8');
	const dash = decoded.indexOf('-');
	if (dash <= 0 || Buffer.from(decoded).toString('base64') !== gid) return null;
	return { type: decoded.slice(0, dash), id: decoded.slice(dash + 1) };
}

// Europe/Paris: UTC+1, UTC+2 from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
const dstBoundsCache = new Map();
function dstBounds(year) {
	let bounds = dstBoundsCache.get(year);
	if (!bounds) {
		const lastSunday = (month) => {
			const last = new Date(Date.UTC(year, month + 1, 0));
			return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
		};
		bounds = [lastSunday(2), lastSunday(9)];
		dstBoundsCache.set(year, bounds);
	}
	return bounds;
}

function parisOffsetMinutes(ms) {
	const [start, end] = dstBounds(new Date(ms).getUTCFullYear());
	return ms >= start && ms < end ? 120 : 60;
}

const pad2 = (n) => (n < 10 ? '0' + n : String(n));

const formattedCache = new Map();

/** ISO8601DateTime as the platform prints it: Paris local time with offset, second precision. */
function formatDateTime(ms) {
	if (ms === null || ms === undefined) return null;
	const second = Math.floor(ms / 1000);
	let text = formattedCache.get(second);
	if (text === undefined) {
		// Seeded dates repeat a lot across champs, files and traitements: memoise them.
		if (formattedCache.size > 200000) formattedCache.clear();
		text = formatParis(second * 1000);
		formattedCache.set(second, text);
	}
	return text;
}

function formatParis(ms) {
	const offset = parisOffsetMinutes(ms);
	const local = new Date(ms + offset * 60000);
	return (
		`${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}` +
		`T${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}` +
		`+${pad2(offset / 60)}:00`
	);
}

/** ISO8601Date (YYYY-MM-DD) of a timestamp in Paris time. */
function formatDate(ms) {
	if (ms === null || ms === undefined) return null;
	return formatDateTime(ms).slice(0, 10);
}

const FRENCH_MONTHS = [
	'janvier',
	'février',
	'mars',
	'avril',
	'mai',
	'juin',
	'juillet',
	'août',
	'septembre',
	'octobre',
	'novembre',
	'décembre',
];

/** "12 mars 2024" from "2024-03-12" (the platform's long French date, used in stringValue). */
function frenchLongDate(isoDate) {
	const [y, m, d] = isoDate.split('-').map(Number);
	return `${d} ${FRENCH_MONTHS[m - 1]} ${y}`;
}

/** @returns {number|null} epoch ms, or null if the string is not a date */
function parseDateTime(value) {
	if (value === null || value === undefined) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
}

/** 32-bit string hash (FNV-1a), the base of every deterministic choice. */
function hashString(str) {
	let h = 0x811c9dc5;
	for (let i = 0; i < str.length; i++) {
		h ^= str.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** A deterministic random stream (mulberry32); a class, because the seed makes thousands per page. */
class Rng {
	constructor(state) {
		this.state = state;
	}

	/** @returns {number} in [0, 1) */
	next() {
		this.state = (this.state + 0x6d2b79f5) | 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	int(min, max) {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick(list) {
		return list[Math.floor(this.next() * list.length)];
	}

	chance(p) {
		return this.next() < p;
	}
}

/** Combines a 32-bit hash with an integer into a new well-spread 32-bit state (murmur3 finaliser). */
function mix(hash, n) {
	let h = (hash ^ Math.imul(n, 0x9e3779b1)) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

/** A deterministic random stream seeded from any list of keys. @returns {Rng} */
function rng(...keys) {
	return new Rng(hashString(keys.join('|')));
}

function md5Base64(buffer) {
	return crypto.createHash('md5').update(buffer).digest('base64');
}

function hmacHex(secret, data) {
	return crypto.createHmac('sha256', secret).update(data).digest('hex');
}

module.exports = {
	globalId,
	decodeGlobalId,
	formatDateTime,
	formatDate,
	frenchLongDate,
	parseDateTime,
	hashString,
	rng,
	Rng,
	mix,
	md5Base64,
	hmacHex,
};
