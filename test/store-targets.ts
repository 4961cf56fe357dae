import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { StoreConfig } from '../server/config/env.js';
import { openStore, type Store } from '../server/store/store.js';
import { serviceGate } from './test-services.js';

/** A store opened for one test file, and how to throw it away afterwards. */
export interface StoreTarget {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<{ store: Store; config: StoreConfig; dispose: () => Promise<void> }>;
}

/**
 * The store contract runs on every dialect: an SQLite file in a temporary folder, and a PostgreSQL
 * database created for this run (uniquely named, dropped afterwards; shared databases are never
 * touched). PostgreSQL is gated like the engine suites: skipped loudly, or failing under CI=true.
 */
export async function storeTargets(what: string): Promise<StoreTarget[]> {
  const targets: StoreTarget[] = [
    {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(path.join(tmpdir(), 'trellis-store-'));
        const config: StoreConfig = { kind: 'sqlite', file: path.join(dir, 'meta.sqlite') };
        const store = await openStore(config);
        return {
          store,
          config,
          dispose: async () => {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  const gate = await serviceGate('postgres', what);
  if (gate.available)
    targets.push({
      name: 'postgres',
      async open() {
        const name = `trellis_store_${process.pid}_${randomBytes(4).toString('hex')}`;
        await adminQuery(gate.url, `create database ${name}`);
        const url = new URL(gate.url);
        url.pathname = `/${name}`;
        const config: StoreConfig = { kind: 'postgres', url: url.toString() };
        const store = await openStore(config);
        return {
          store,
          config,
          dispose: async () => {
            await store.close();
            await adminQuery(gate.url, `drop database if exists ${name} with (force)`);
          },
        };
      },
    });
  return targets;
}

/** Test-only DDL with a generated, fixed-alphabet database name (never user input). */
async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
