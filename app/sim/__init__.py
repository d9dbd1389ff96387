"""Templates and Model artifacts (the FlowTime-Sim side)."""
