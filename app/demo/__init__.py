"""The demo registry: FlowTime example models run by the engine, and synthetic runs for scale tests."""
