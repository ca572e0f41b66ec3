from mluvii_tui.cli.main import main

if __name__ == "__main__":  # guarded: export worker processes import the main module
    raise SystemExit(main())
