from chores_tracker.cli import main

main()
