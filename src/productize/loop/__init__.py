"""The feedback loop: channels, feedback, patterns, improvements, milestones, roadmap."""
