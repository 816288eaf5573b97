"""The demo pipeline; until the task layer lands it shows kart-hash on its own."""

from hash_demo import main

if __name__ == "__main__":
    main()
