import { z } from 'zod';

/** The palette's search: values of the filters a project declares `search: true`, across dashboards. */
export const MAX_SEARCH_QUERY = 100;
/** Hits per searched filter, and in all. */
export const SEARCH_HITS_PER_FILTER = 5;
export const MAX_SEARCH_HITS = 20;
/** The most (dataset, column) pairs one search reads; further declared ones are left out. */
export const MAX_SEARCH_SOURCES = 8;

export const searchQuery = z.object({
  q: z.string().trim().min(1).max(MAX_SEARCH_QUERY),
});

export const searchHit = z.object({
  dashboard: z.string(),
  dashboardTitle: z.string(),
  /** The dashboard filter a hit sets: open `/d/<dashboard>?<filter>=<value>`. */
  filter: z.string(),
  filterLabel: z.string(),
  value: z.string(),
  /** Rows with this value the viewer may read. */
  count: z.number().int(),
});
export type SearchHit = z.infer<typeof searchHit>;

export const searchResponse = z.object({
  query: z.string(),
  hits: z.array(searchHit).max(MAX_SEARCH_HITS),
  /** True when more values matched than were returned. */
  more: z.boolean(),
});
export type SearchResponse = z.infer<typeof searchResponse>;
