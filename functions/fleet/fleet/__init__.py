"""The fleet: select stacks across regions and accounts, heal each with its own execution."""
