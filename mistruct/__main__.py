"""``python -m mistruct`` runs the command line."""

if __name__ == "__main__":
    from mistruct.cli import main

    main()
