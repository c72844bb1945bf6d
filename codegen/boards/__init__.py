"""Board tops: a network built for a device wrapped for a development board
(clock, UART frame loader, LEDs, pin constraints) and its host driver."""
