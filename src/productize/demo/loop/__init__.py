"""The demo organisation's feedback loop: data files and the loader that replays them.

See README.md in this directory for what the data shows; `loader.load_demo_loop()` writes it
through the loop services.
"""
