echo hello from the demo
