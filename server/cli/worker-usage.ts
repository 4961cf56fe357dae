/** The worker's help lines, apart from worker.command.ts so `trellis --help` does not load the app. */
export const WORKER_USAGE = `  worker DIR   Run background jobs (pipeline runs, schedules) for the project in DIR, no HTTP;
               with \`serve --role web DIR\` for the web side (same metadata store, or TRELLIS_QUEUE=redis)
`;
