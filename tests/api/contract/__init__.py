"""Contract tests: FlowTime's own clients (Blazor and SvelteKit) replayed against the registry."""
