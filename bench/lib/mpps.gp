# bench/lib/mpps.gp -- Mpps through the load balancer, by scenario (groups)
# and flow count (bars). Called by bench/run:
#   gnuplot -e "datafile='...'; outfile='...'" bench/lib/mpps.gp
set terminal pngcairo size 900,500 font ",11"
set output outfile
set title "UDP 64-byte frames through the load balancer"
set ylabel "Mpps (median)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top right
plot for [col = 2:4] datafile using col:xtic(1) title columnheader(col)
