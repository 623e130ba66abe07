// Tests that start daemons bind ports and spawn processes; two cores are enough for two classes at a time.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
